"""The views: pictures, HTML and widgets built on the model, never the other way round.

Pictures (matplotlib), each module one picture or one part of it:

- a network: :mod:`.netlayout` places it, :mod:`.plot` draws it, :mod:`.traceplot`
  draws a packet's path over it;
- addresses bit by bit and longest-prefix match: :mod:`.bits`;
- a Kubernetes cluster: :mod:`.clusterlayout` places it, :mod:`.clusterplot` draws it,
  :mod:`.clustertrace` draws a packet's path over it;
- a packet's headers: :mod:`.headers`; IPAM: :mod:`.ipamplot`;
- the colours they share: :mod:`.palette`.

:mod:`.render` writes HTML; :mod:`.widgets` and :mod:`.ipamwidget` are the ipywidgets,
and :mod:`.frames` redraws their pictures quickly. ``import kpath_nb`` loads none of
them: their public names are loaded on first use (``kp.draw_trace``, ``kp.explore``, ...).
"""
