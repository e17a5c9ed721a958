"""The autocomplete widget: a text box that looks up a related record as you type.

Rendered markup: a hidden input carrying the primary key (the value the form
posts), a text box showing the record's label, and a list of matches fetched from
``<view>/autocomplete/<column>?q=<typed text>`` (at most 20, JSON
``{"result": [{"id": ..., "text": ...}]}``). The script is plain JavaScript, served
inline with the widget (no CDN, no library); it is delegated on ``document`` so
fields FAB's search form clones at run time work too, and it is installed once per
page however many widgets there are.
"""

from __future__ import annotations

from flask import url_for
from jinja2 import Environment
from markupsafe import Markup

_TEMPLATE = """\
<div class="zg-autocomplete" data-zg-autocomplete="{{ url }}" style="position:relative">
  <input type="hidden" name="{{ name }}" id="{{ id }}" value="{{ value }}"
         data-zg-autocomplete-value>
  <input type="text" class="form-control" autocomplete="off" value="{{ label }}"
         placeholder="{{ placeholder }}" data-zg-autocomplete-label
         {% if required %}required{% endif %} aria-autocomplete="list">
  <ul class="dropdown-menu" data-zg-autocomplete-menu
      style="display:none;max-height:20em;overflow-y:auto;width:100%"></ul>
</div>
{% if with_script %}<script{% if nonce %} nonce="{{ nonce }}"{% endif %}>{{ script }}</script>{% endif %}
"""

# Vanilla JS. The label box carries no name, but FAB's filter script renames every
# input in a search field, so names are stripped from label boxes before submit.
_SCRIPT = Markup("""
(function () {
  if (window.zgAutocomplete) { return; }
  window.zgAutocomplete = true;
  var timer = null;
  function box(el) { return el.closest('[data-zg-autocomplete]'); }
  function clear(menu) { while (menu.firstChild) { menu.removeChild(menu.firstChild); } }
  function pick(root, id, text) {
    root.querySelector('[data-zg-autocomplete-value]').value = id;
    root.querySelector('[data-zg-autocomplete-label]').value = text;
    var menu = root.querySelector('[data-zg-autocomplete-menu]');
    clear(menu); menu.style.display = 'none';
  }
  function lookup(root, text) {
    var url = root.getAttribute('data-zg-autocomplete');
    fetch(url + '?q=' + encodeURIComponent(text), {credentials: 'same-origin',
          headers: {'Accept': 'application/json'}})
      .then(function (r) { return r.ok ? r.json() : {result: []}; })
      .then(function (data) {
        var menu = root.querySelector('[data-zg-autocomplete-menu]');
        clear(menu);
        (data.result || []).forEach(function (row) {
          var li = document.createElement('li'), a = document.createElement('a');
          a.href = '#'; a.textContent = row.text;
          a.addEventListener('click', function (e) {
            e.preventDefault(); pick(root, row.id, row.text);
          });
          li.appendChild(a); menu.appendChild(li);
        });
        menu.style.display = menu.firstChild ? 'block' : 'none';
      });
  }
  document.addEventListener('input', function (e) {
    if (!e.target.hasAttribute('data-zg-autocomplete-label')) { return; }
    var root = box(e.target), text = e.target.value;
    root.querySelector('[data-zg-autocomplete-value]').value = '';
    clearTimeout(timer);
    timer = setTimeout(function () { lookup(root, text); }, 200);
  });
  document.addEventListener('submit', function (e) {
    e.target.querySelectorAll('[data-zg-autocomplete-label]').forEach(function (el) {
      el.removeAttribute('name');
    });
  }, true);
})();
""")

_environment = Environment(autoescape=True)
_compiled = _environment.from_string(_TEMPLATE)


class AutocompleteWidget:
    """Renders an ``AutocompleteField``.

    :param endpoint: the view's endpoint name, or a callable returning it (the view
        learns its endpoint only when its blueprint is created).
    :param col_name: the foreign-key column, part of the lookup URL.
    """

    def __init__(self, endpoint=None, col_name=None):
        self.endpoint = endpoint
        self.col_name = col_name

    def url(self):
        endpoint = self.endpoint() if callable(self.endpoint) else self.endpoint
        return url_for(f"{endpoint}.autocomplete", col_name=self.col_name)

    def __call__(self, field, **kwargs):
        from flask import g

        # One copy of the script per page, whatever the number of fields.
        first = not getattr(g, "_zg_autocomplete_script", False)
        g._zg_autocomplete_script = True
        csp_nonce = kwargs.get("nonce") or getattr(g, "csp_nonce", None)
        return Markup(
            _compiled.render(
                url=self.url(),
                name=field.name,
                id=field.id,
                value=field._value(),
                label=field.label_text(),
                placeholder=kwargs.get("placeholder", ""),
                required=field.flags.required,
                with_script=first,
                nonce=csp_nonce,
                script=_SCRIPT,
            )
        )
