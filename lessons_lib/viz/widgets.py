"""Interactive demos that still work with no browser attached (chapter 02 onwards).

Every demo is a thin shell over a pure
function ``draw(**values) -> Figure`` that the tests call directly. In a live notebook,
:func:`interactive_figure` adds core ipywidgets controls (Colab-safe: ipywidgets 7 and 8);
with no browser (``LESSONS_HEADLESS=1``, as in the tests and the notebook refresh) it draws
once with the controls' starting values, so the stored output is a real picture.
"""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.figure import Figure

from ..course.session import is_headless


def interactive_figure(draw: Callable[..., Figure], **controls):
    """Show ``draw(**values)`` and redraw it whenever a control changes.

    ``controls`` maps each keyword of ``draw`` to an ipywidgets control, e.g.
    ``temperature=widgets.FloatSlider(value=1.0, min=0.1, max=3.0, continuous_update=False)``.
    Returns the widget (live) or the figure drawn with the starting values (headless).
    """
    for name, control in controls.items():
        if not hasattr(control, "value"):
            raise TypeError(
                f"The control for {name!r} must be an ipywidgets control with a .value (such as "
                f"widgets.FloatSlider(...)), got {type(control).__name__}."
            )
    for control in controls.values():  # long descriptions ("hidden units") shown whole
        if hasattr(getattr(control, "style", None), "description_width"):
            control.style.description_width = "initial"
    values = {name: control.value for name, control in controls.items()}
    if is_headless():
        return draw(**values)
    import ipywidgets
    from IPython.display import display

    def show(**chosen) -> None:
        display(draw(**chosen))

    return ipywidgets.interactive(show, **controls)
