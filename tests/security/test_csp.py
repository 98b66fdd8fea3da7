"""Content Security Policy: the header on pages and the API, and no template that would need
'unsafe-inline' for scripts (inline <script>, on*= handlers) or an inline <style> element."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "staticfiles", "node_modules", "test-output", ".git"}
# Non-executable data blocks (json_script and friends) may be inline.
DATA_TYPES = {"application/json", "application/ld+json", "text/template"}
TEMPLATE_SYNTAX = re.compile(
    r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL
)


class InlineScriptFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        line = self.getpos()[0]
        if tag == "script" and not names.get("src"):
            kind = (names.get("type") or "").strip().lower()
            if kind not in DATA_TYPES:
                self.problems.append(f"line {line}: inline <script>")
        if tag == "style":  # style-src 'self': only style attributes may be inline
            self.problems.append(f"line {line}: inline <style>")
        for name, value in attrs:
            if re.fullmatch(r"on[a-z]+", name) or name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"line {line}: {name}= handler")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"line {line}: javascript: URL")
            if name in {"hx-vals", "hx-vars", "hx-headers"} and "js:" in (value or ""):
                self.problems.append(f"line {line}: {name} evaluates JavaScript")


def inline_script_problems(source: str) -> list[str]:
    finder = InlineScriptFinder()
    finder.feed(TEMPLATE_SYNTAX.sub(" ", source))
    finder.close()
    return finder.problems


def project_templates() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.html")
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts) and "templates" in path.parts
    )


def test_the_finder_catches_what_it_must_and_spares_data_blocks():
    assert inline_script_problems("<script>alert(1)</script>")
    assert inline_script_problems('<script type="text/javascript">x()</script>')
    assert inline_script_problems('<button onclick="go()">')
    assert inline_script_problems("<select\n  onchange='this.form.submit()'>")
    assert inline_script_problems('<div hx-on:click="x()">')
    assert inline_script_problems('<a href="javascript:void(0)">')
    assert inline_script_problems("""<div hx-vals='js:{a: b()}'>""")
    assert inline_script_problems("<style>.a { color: red }</style>")
    assert not inline_script_problems('<script src="/static/js/keel.js" defer></script>')
    assert not inline_script_problems('<script id="d" type="application/json">{"a": 1}</script>')
    assert not inline_script_problems('<select data-autosubmit name="only">')
    assert not inline_script_problems('<p{% if online %} class="on"{% endif %}>{{ x }}</p>')
    assert not inline_script_problems("{% comment %}no <script> here{% endcomment %}")


def test_no_template_has_an_inline_script_or_handler():
    templates = project_templates()
    assert len(templates) > 50  # the scan really covers the project and app templates
    assert any("resources/templates" in str(p) for p in templates)
    problems = {
        str(path.relative_to(ROOT)): found
        for path in templates
        if (found := inline_script_problems(path.read_text(encoding="utf-8")))
    }
    assert not problems


STYLE_ATTRIBUTE = re.compile(r"<[a-zA-Z][^<>]*\sstyle\s*=", re.IGNORECASE)


def test_no_page_template_has_a_style_attribute():
    """Spacing and sizes are classes in the stylesheets, computed widths are <progress> values or
    SVG attributes: the pages need no inline style. E-mail bodies keep theirs (mail clients
    ignore stylesheets, and no Content Security Policy applies to a mail)."""
    assert STYLE_ATTRIBUTE.search('<span class="a" style="width: 3%">')
    assert STYLE_ATTRIBUTE.search("<li\n  style='x'>")
    assert not STYLE_ATTRIBUTE.search('<link rel="stylesheet" href="/static/css/keel.css">')
    found = [
        str(path.relative_to(ROOT))
        for path in project_templates()
        if "email" not in path.parts
        and STYLE_ATTRIBUTE.search(TEMPLATE_SYNTAX.sub(" ", path.read_text(encoding="utf-8")))
    ]
    assert not found


def directives(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


EXPECTED = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "style-src-attr": {"'unsafe-inline'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}


def test_pages_carry_the_policy(company, client, login):
    assert directives(client.get("/login/")) == EXPECTED
    page = login(company["alice"]).get("/")
    assert page.status_code == 200
    assert directives(page) == EXPECTED
    partial = client.get("/notifications/bell/", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert directives(partial) == EXPECTED


def test_the_api_carries_the_policy(company, api):
    response = api.as_(company["alice"]).get("/api/v1/me/")
    assert response.status_code == 200
    assert directives(response) == EXPECTED
    assert directives(api.get("/api/v1/schema/")) == EXPECTED


def test_no_unsafe_script_sources_anywhere_in_the_policy(client, db):
    policy = client.get("/login/")["Content-Security-Policy"]
    assert "unsafe-eval" not in policy
    script = directives(client.get("/login/"))["script-src"]
    assert "'unsafe-inline'" not in script


def test_base_page_loads_its_one_script_and_turns_off_htmx_inline_style_and_eval(company, login):
    html = login(company["alice"]).get("/").content.decode()
    assert re.search(r'<script src="/static/js/keel\.js" defer></script>', html)
    meta = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', html).group(1)
    assert '"includeIndicatorStyles": false' in meta and '"allowEval": false' in meta
    css = (ROOT / "static" / "css" / "keel.css").read_text()
    assert ".htmx-request .htmx-indicator" in css and "visibility: visible" in css


def test_swagger_ui_serves_its_init_script_as_a_same_origin_resource(client, company):
    client.force_login(company["alice"].user)  # the docs are for signed-in people
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not inline_script_problems(html)
    script_url = re.search(r'<script src="([^"]*\?[^"]*script[^"]*)"', html).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert directives(page) == EXPECTED


def test_redoc_has_no_inline_script_and_a_narrow_style_override(client, company):
    client.force_login(company["alice"].user)  # the docs are for signed-in people
    page = client.get("/api/v1/redoc/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not inline_script_problems(html)
    assert "fonts.googleapis.com" not in html
    policy = directives(page)
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src-elem"] == {"'self'", "'unsafe-inline'"}
    assert policy["worker-src"] == {"'self'", "blob:"}
    # Only that page: everything else keeps the strict policy.
    assert "style-src-elem" not in directives(client.get("/login/"))


def test_the_admin_renders_under_the_policy(company, login):
    client = login(company["zed"])
    company["zed"].user.is_superuser = True
    company["zed"].user.save()
    for path in ["/admin/", "/admin/goals/goal/", "/admin/axes/accessattempt/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert directives(response) == EXPECTED
        assert not inline_script_problems(response.content.decode()), path
    client.logout()
    login_page = client.get("/admin/login/")
    assert login_page.status_code == 200
    assert not inline_script_problems(login_page.content.decode())
