"""What makes the app usable by keyboard and screen reader (WCAG 2.1 AA): a status announced
when it changes, headings and named tables to move by, and the focus kept where a job's
buttons take it.

Quasar's and AG Grid's own parts (tabs, switches, selects, toasts with ``role=alert``) are
accessible as they come; these helpers cover what the app builds of plain labels, and the
page-wide CSS (:data:`CSS`) what their styles leave faint.
"""

from __future__ import annotations

from typing import Any

#: a keyboard focus ring every control shows (Quasar's lightened fill read 1.5:1 against the
#: button, a tab's grey 1.36:1: WCAG 2.4.7 and 1.4.11 ask 3:1), and tables that scroll within
#: themselves on a narrow screen, not the whole panel (1.4.10: at 640 px a hubs table of 960 px
#: moved the map and the legend sideways with it); the grids' header text (4.43:1) and the charts'
#: toolbar icons (1.7:1) darker; ``words``: a text naming the planner's ids wraps within its panel
#: (a legend naming a 200-character id was 2,005 px wide in a panel of 1,368, its ends cut off);
#: a primary button darkened, not lightened, when focused or hovered (its white text read 4.23:1).
#: The ring sits in the first cascade layer: NiceGUI 3 layers Quasar's ``.no-outline{outline:0
#: !important}``, and a layer's ``!important`` beats an unlayered one (buttons, switches and the
#: checkbox showed no ring at all)
CSS = """
@layer theme { :focus-visible { outline: 3px solid #1d4ed8 !important; outline-offset: 2px; } }
.q-table__container, .nicegui-row > .nicegui-column { max-width: 100%; }
.q-tab-panel { min-width: 0; }
.ag-root-wrapper .ag-header-cell-text { color: #3c4043; }
.js-plotly-plot .modebar-btn path { fill: #5f6368 !important; }
.q-btn.bg-primary .q-focus-helper:before,
.q-btn.bg-primary .q-focus-helper:after { background: #000 !important; }
.words { overflow-wrap: anywhere; min-width: 0; }
"""


#: Tab (Shift+Tab) from a data grid's cell goes to the control after (before) the grid, the arrow
#: keys moving within it, as WAI-ARIA's grid pattern has it: AG Grid made each cell, and each row,
#: a stop of its own (1,609 presses crossed the lanes' grid to the button under it: WCAG 2.1.1);
#: a cell being edited keeps AG Grid's Tab, to the next cell's editor
GRID_TAB = """<script>
document.addEventListener('keydown', e => {
  const grid = e.key === 'Tab' && e.target.closest && e.target.closest('.ag-root-wrapper');
  if (!grid || e.target.closest('.ag-cell-inline-editing')) return;
  const stops = [...document.querySelectorAll('button, [href], input, select, textarea, [tabindex]')]
    .filter(el => el.tabIndex >= 0 && !el.disabled && el.offsetParent !== null
                  && (!el.closest('.ag-root-wrapper') || el.closest('.ag-root-wrapper') !== grid));
  const after = stops.filter(el => grid.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING
                                   && !grid.contains(el));
  const before = stops.filter(el => grid.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING
                                    && !el.contains(grid));
  const next = e.shiftKey ? before[before.length - 1] : after[0];
  if (next) { e.preventDefault(); e.stopPropagation(); next.focus(); }
}, true);
</script>"""


#: a slider's name, role and value on the part of it that takes the focus: Quasar puts them on its
#: outer element while an inner one is focused, and a screen reader said only '0.5' (WCAG 4.1.2);
#: kept in step as the value moves, and taken off the outer element, a group
SLIDER_NAMES = """<script>
const sliderParts = ['aria-label', 'aria-valuemin', 'aria-valuemax', 'aria-valuenow', 'aria-orientation',
                     'aria-disabled'];
const nameSliders = () => document.querySelectorAll('.q-slider[role=slider], .q-slider[data-slider]')
  .forEach(s => {
    const focused = s.querySelector('.q-slider__track-container');
    if (!focused) return;
    const set = (e, a, v) => { if (v !== null && e.getAttribute(a) !== v) e.setAttribute(a, v); };  // no loop
    if (!s.dataset.slider) s.dataset.slider = '1';
    set(s, 'role', 'group');
    set(focused, 'role', 'slider');
    sliderParts.forEach(a => set(focused, a, s.getAttribute(a)));
    // a group has no value: left on it, they were read twice and axe called them not allowed
    ['aria-valuemin', 'aria-valuemax', 'aria-valuenow', 'aria-orientation']
      .forEach(a => s.removeAttribute(a));
  });
new MutationObserver(nameSliders).observe(document.documentElement,
  {childList: true, subtree: true, attributes: true, attributeFilter: ['aria-valuenow', 'aria-disabled']});
</script>"""


#: a chip's remove button named for its chip and its field (``Remove CN from excluded_countries``):
#: Quasar names every one ``Remove``, and a screen reader heard the same word for each chip (WCAG
#: 2.4.6, 4.1.2)
CHIP_NAMES = """<script>
const nameChips = () => document.querySelectorAll('.q-chip__icon--remove').forEach(icon => {
  const chip = icon.closest('.q-chip');
  const field = icon.closest('.q-field')?.querySelector('.q-field__label')?.innerText.trim();
  const text = chip?.querySelector('.q-chip__content')?.innerText.trim();
  if (!text) return;
  const name = `Remove ${text}` + (field ? ` from ${field}` : '');
  if (icon.getAttribute('aria-label') !== name) icon.setAttribute('aria-label', name);  // no loop
});
new MutationObserver(nameChips).observe(document.documentElement,
  {childList: true, subtree: true, characterData: true});
</script>"""


def status(label: Any) -> Any:
    """``label`` read out by a screen reader whenever its text changes (pending edits, a job's
    outcome: :func:`started` keeps it quiet while a job's seconds tick): ``role=status`` (WCAG 4.1.3)."""
    return label.props('role=status aria-live=polite')


def alert(label: Any) -> Any:
    """``label`` of an error shown when it appears, read out at once: ``role=alert``."""
    return label.props("role=alert")


def heading(label: Any, level: int) -> Any:
    """``label`` a heading of ``level`` to screen readers (their list of headings moves through a
    long page: WCAG 1.3.1, 2.4.6), styled as before."""
    return _with(label, role="heading", **{"aria-level": str(level)})


def named(element: Any, name: str) -> Any:
    """``element`` (a table, a chart) a region named ``name``, so that a screen reader says what
    it holds (the visible title of a table was not tied to it)."""
    return _with(element, role="region", **{"aria-label": name})


def described(chart: Any, text: str) -> Any:
    """``chart`` (a Plotly figure) a figure whose text alternative is ``text`` (WCAG 1.1.1): what
    it shows and where the same numbers are as text. A figure, not an image: an image's parts are
    hidden from a screen reader, yet its toolbar's buttons took the focus (axe: nested-interactive)."""
    return _with(chart, role="figure", **{"aria-label": text})


def started(button: Any, stop: Any, said: Any) -> None:
    """A job started by ``button``: it is disabled and ``stop`` enabled and focused (the focus
    fell to the page's body when the button it was on was disabled: WCAG 2.4.3); its status
    ``said`` (a :func:`status` line) keeps quiet while its seconds tick (a screen reader read
    out each of them, five a second), until :func:`ended`."""
    button.disable()
    stop.enable()
    _focus(stop, only_if_lost=False)
    said.props["aria-live"] = "off"
    said.update()


def ended(button: Any, stop: Any, said: Any) -> None:
    """The job of ``button`` ended: it is enabled again and focused where the focus was on
    ``stop`` or lost (a planner who moved on keeps their place), and its status ``said`` is
    read out again: the outcome written next."""
    button.enable()
    stop.disable()
    _focus(button, only_if_lost=True, was=stop)
    said.props["aria-live"] = "polite"
    said.update()


def refocus(element: Any) -> None:
    """Focus ``element``'s first control (an uploader's file input) if the focus was lost to the
    page's body (the uploader reset after its file was read: WCAG 2.4.3)."""
    _when_lost(f"getHtmlElement({element.id})?.querySelector('input, button, [tabindex]')")


def refocus_testid(testid: str) -> None:
    """Focus the element whose ``data-testid`` is ``testid`` if the focus was lost to the page's
    body (the element drawn again: WCAG 2.4.3)."""
    import json

    _when_lost(f"document.querySelector(`[data-testid=${{CSS.escape({json.dumps(testid)})}}]`)")


def _when_lost(target: str) -> None:
    """Focus the element the JavaScript expression ``target`` gives, 0.1 s from now, if the focus
    is then on the page's body."""
    from nicegui import ui

    ui.run_javascript("setTimeout(() => { const a = document.activeElement; if (a && a !== document.body) "
                      f"return; {target}?.focus(); }}, 100)")


def _focus(element: Any, only_if_lost: bool, was: Any = None) -> None:
    from nicegui import ui

    target = f"getHtmlElement({element.id})"
    if only_if_lost:
        previous = f"getHtmlElement({was.id})" if was is not None else "null"
        condition = (f"const a = document.activeElement; if (!a || a === document.body || a === {previous} "
                     f"|| ({previous} && {previous}.contains(a))) ")
    else:
        condition = ""
    # after Vue has drawn the enabled state (a disabled button takes no focus)
    ui.run_javascript(f"setTimeout(() => {{ {condition}{target}?.focus(); }}, 100)")


def _with(element: Any, **attributes: str) -> Any:
    """``element`` with ``attributes`` set as they are (a props text is parsed: a name of the
    planner's holding a quote or a backslash broke it, one holding ':x="…"' ran as JavaScript)."""
    for key, text in attributes.items():
        element.props[key] = text
    return element
