// Progressive enhancement only: every page works without this file.
// htmx requests carry the CSRF token that the base template puts on <body>.
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.body.getAttribute("data-csrf");
  if (token) {
    event.detail.headers["X-CSRFToken"] = token;
  }
});
