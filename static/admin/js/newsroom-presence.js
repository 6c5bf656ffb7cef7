// Tells an editor, before they lose work, that someone else has the article
// open or has saved it since this page was loaded.
(function () {
  const banner = document.getElementById("presence-banner");
  if (!banner) return;
  const loadedVersion = banner.dataset.version;
  const show = (text) => {
    let p = banner.querySelector("p.newsroom-live");
    if (!p) {
      p = document.createElement("p");
      p.className = "warning newsroom-live";
      banner.appendChild(p);
    }
    p.textContent = text;
  };
  const poll = () => {
    fetch(banner.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => {
        if (!data) return;
        const notes = [];
        if (String(data.version) !== loadedVersion) {
          notes.push(`${data.last_edited_by || "Someone"} saved this article since you opened it: ` +
                     "your save would be refused. Copy your changes and reload.");
        }
        if (data.others.length) notes.push(`Also open now by: ${data.others.join(", ")}.`);
        if (notes.length) show(notes.join(" "));
      })
      .catch(() => {});
  };
  setInterval(poll, 15000);
})();
