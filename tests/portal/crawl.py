"""A same-site crawler for the web-security tests: follows every link, htmx GET and GET form
of the pages a signed-in role (or a visitor) can reach, and audits each HTML page for what a
strict Content-Security-Policy forbids and for POST forms without a CSRF token."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

# Attributes holding a URL that a browser would load or navigate to.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "hx-get", "hx-post"}
HTMX_URL_ATTRIBUTES = {
    "hx-get",
    "hx-post",
    "hx-put",
    "hx-patch",
    "hx-delete",
    "data-hx-get",
    "data-hx-post",
}
# <script type="application/json"> (Django's json_script) is data, never executed.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


@dataclass
class Audit:
    """What one HTML page holds that a strict CSP forbids, and its forms and links."""

    problems: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    post_forms: list[dict] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.audit = Audit()
        self._script_body: list[str] | None = None
        self._form: dict | None = None
        self._get_form: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        problems = self.audit.problems
        for name, value in values.items():
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=…> event handler attribute")
            elif name == "style":
                problems.append(f'<{tag} style="{value[:40]}"> inline style attribute')
            elif name.startswith(("hx-on", "data-hx-on")):
                problems.append(f"<{tag} {name}=…> htmx inline handler")
            elif name in {"hx-vals", "data-hx-vals", "hx-vars", "data-hx-vars"} and (
                value.strip().startswith(("js:", "javascript:")) or name.endswith("vars")
            ):
                problems.append(f"<{tag} {name}=…> htmx evaluated expression")
            if name in URL_ATTRIBUTES and value.strip().lower().startswith(
                ("javascript:", "vbscript:", "data:text/html")
            ):
                problems.append(f"<{tag} {name}={value[:40]!r}> script URL")
            if name in {"src", "href"} and value.startswith(("http://", "https://", "//")):
                problems.append(f"<{tag} {name}={value[:60]!r}> external asset or link")
        if tag == "style":
            problems.append("<style> block")
        elif tag == "script":
            kind = values.get("type", "").lower()
            if "src" not in values and kind not in DATA_SCRIPT_TYPES:
                self._script_body = []
        elif tag == "iframe" and "srcdoc" in values:
            problems.append("<iframe srcdoc> inline document")
        elif tag == "a" and values.get("href"):
            self.audit.links.append(values["href"])
        elif tag == "img" and values.get("src"):
            self.audit.links.append(values["src"])
        elif tag == "form":
            method = values.get("method", "get").lower()
            action = values.get("action", "")
            if method == "post":
                self._form = {"action": action, "csrf": False, "id": values.get("id", "")}
                # GET on a POST form's target must change nothing: crawl it too.
                if action:
                    self.audit.links.append(action)
            else:
                self._get_form = {"action": action, "fields": []}
        elif tag in {"input", "select", "textarea"}:
            if (
                self._form is not None
                and values.get("name") == "csrfmiddlewaretoken"
                and values.get("value")
            ):
                self._form["csrf"] = True
            if self._get_form is not None and values.get("name"):
                if values.get("type") in {"checkbox", "radio"} and "checked" not in values:
                    pass
                else:
                    self._get_form["fields"].append((values["name"], values.get("value", "")))
        for name in HTMX_URL_ATTRIBUTES & set(values):
            if name.endswith("get") and values[name]:
                self.audit.links.append(values[name])

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._script_body is not None:
            self._script_body.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script_body is not None:
            body = "".join(self._script_body).strip()
            if body:
                self.audit.problems.append(f"inline <script> body: {body[:60]!r}")
            self._script_body = None
        elif tag == "form":
            if self._form is not None:
                self.audit.post_forms.append(self._form)
                self._form = None
            if self._get_form is not None:
                # Submitting a GET form as it stands (empty search, default filters).
                fields = "&".join(f"{k}={v}" for k, v in self._get_form["fields"])
                action = self._get_form["action"] or ""
                self.audit.links.append(f"{action}?{fields}" if action else f"?{fields}")
                self._get_form = None


def audit_html(html: str) -> Audit:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.audit


@dataclass
class Visit:
    url: str
    route: str
    status: int
    content_type: str
    csp: str | None
    audit: Audit | None
    file: bool = False


def route_of(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


def crawl(client, seeds: list[str], *, skip, per_route: int = 3, limit: int = 1500) -> list[Visit]:
    """GET every same-site URL reachable from `seeds` by links, htmx GETs and GET forms
    (at most `per_route` distinct URLs of one URL pattern), skipping routes `skip(route)` says."""
    queue = deque(seeds)
    queued = set(seeds)
    counts: Counter = Counter()
    visits: list[Visit] = []
    while queue and len(visits) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        route = route_of(parts.path)
        if route is None or skip(route) or counts[route] >= per_route:
            continue
        counts[route] += 1
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        audit = None
        location = response.get("Location", "") if response.status_code in {301, 302} else ""
        if location:
            target_parts = urlsplit(urljoin(url, location))
            if target_parts.netloc in {"", "testserver"}:
                target = target_parts.path + (
                    f"?{target_parts.query}" if target_parts.query else ""
                )
                if target not in queued:
                    queued.add(target)
                    queue.append(target)
        if content_type.startswith("text/html") and not response.streaming:
            audit = audit_html(response.content.decode())
            for link in audit.links:
                target = urljoin(url, link.split("#", 1)[0])
                target_parts = urlsplit(target)
                if target_parts.netloc not in {"", "testserver"}:
                    continue
                target = target_parts.path + (
                    f"?{target_parts.query}" if target_parts.query else ""
                )
                if target not in queued:
                    queued.add(target)
                    queue.append(target)
        visits.append(
            Visit(
                url=url,
                route=route,
                status=response.status_code,
                content_type=content_type,
                csp=response.get("Content-Security-Policy"),
                audit=audit,
                file=response.streaming,
            )
        )
        # Close a served file (response.close() would also close the test's DB connection).
        stream = getattr(response, "file_to_stream", None)
        if stream is not None:
            stream.close()
    return visits
