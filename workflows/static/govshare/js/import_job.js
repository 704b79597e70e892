// A catalog import's progress page (catalog/import_job.html): polls the job's status until it is finished.
// A static file, not an inline script: the Content-Security-Policy allows scripts from 'self' only.
(function () {
  var marker = document.querySelector("[data-poll-job]");
  if (!marker) { return; }
  var url = marker.getAttribute("data-poll-job");
  function poll() {
    if (!document.body.contains(marker)) { return; }  // Turbo navigated away
    fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      document.getElementById("job-bar").style.width = data.progress + "%";
      document.getElementById("job-status").textContent = data.status_label;
      document.getElementById("job-message").textContent = data.message;
      if (data.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
    }).catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
