// Tells an editor, before they lose work, that someone else has the article
// open or has saved it since this page was loaded. The server decides what to
// say (it knows the version this page was opened at); this only shows it.
(function () {
  const banner = document.getElementById("presence-banner");
  if (!banner) return;
  const url = `${banner.dataset.url}?version=${encodeURIComponent(banner.dataset.version)}`;
  const show = (text) => {
    let p = banner.querySelector("p.newsroom-live");
    if (!p) {
      p = document.createElement("p");
      p.className = "warning newsroom-live";
      banner.appendChild(p);
    }
    p.textContent = text;
    p.hidden = !text;
  };
  const poll = () => {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => { if (data) show(data.warnings.join(" ")); })
      .catch(() => {});
  };
  // At once (someone may have saved between the page being rendered and
  // read), then every 15 s.
  poll();
  setInterval(poll, 15000);
})();
