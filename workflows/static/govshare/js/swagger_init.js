// Swagger UI on /api/docs/ (catalog/templates/api/swagger_ui.html): its settings come from the script tag's
// data attributes, so the page needs no inline script (Content-Security-Policy: scripts from 'self' only).
(function () {
  var tag = document.currentScript;
  var csrfToken = tag.getAttribute("data-csrf-token");
  window.ui = SwaggerUIBundle({
    url: tag.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
    validatorUrl: null,  // no badge from an outside site (the CSP allows only our own images)
    requestInterceptor: function (req) { req.headers["X-CSRFToken"] = csrfToken; return req; },
  });
})();
