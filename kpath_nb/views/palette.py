"""The colours every picture shares: the Okabe-Ito palette and what each colour means.

Colour-blind readers can tell the Okabe-Ito colours apart, and no picture uses colour
as its only cue (shapes, hatching, line styles and labels say the same), so these are
the only colours the pictures name.

Examples
--------
>>> OKABE_ITO["vermillion"] == HIGHLIGHT
True
"""

from __future__ import annotations

__all__ = ["OKABE_ITO", "REQUEST", "REPLY", "ERROR", "ERROR_DASHES", "ARP_COLOUR", "HIGHLIGHT",
           "CABLE"]

OKABE_ITO = {
    "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7", "black": "#000000",
}
"""The Okabe-Ito palette: eight colours that stay distinct for colour-blind readers."""

REQUEST, REPLY = OKABE_ITO["blue"], OKABE_ITO["orange"]
"""A packet on its way there, and the answer on its way back."""
ERROR = OKABE_ITO["bluish green"]
"""An ICMP error on its way back to the sender of a dropped packet."""
ERROR_DASHES = (0, (7, 2, 1.5, 2, 1.5, 2))
"""The error leg's line: dash, dot, dot, so it differs from the reply's dashes without colour."""
ARP_COLOUR = OKABE_ITO["reddish purple"]
"""An ARP frame: who has this address?"""
HIGHLIGHT = OKABE_ITO["vermillion"]
"""The hop shown now, and where a packet was dropped."""
CABLE = "#7a7a7a"
"""A cable: grey, so the paths drawn over it stand out."""
