"""The views: pictures, HTML and widgets built on the model, never the other way round.

:mod:`~kpath_nb.views.plot` and :mod:`~kpath_nb.views.clusterplot` draw with matplotlib;
:mod:`~kpath_nb.views.render` writes HTML; :mod:`~kpath_nb.views.widgets` and
:mod:`~kpath_nb.views.ipamwidget` are the ipywidgets. ``import kpath_nb`` loads none of
them: their public names are loaded on first use (``kp.draw_trace``, ``kp.explore``, ...).
"""
