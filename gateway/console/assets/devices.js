// The devices page's script (gateway/console/devicesPage.ts): fetches the device sections again
// every few seconds, so a reader coming online, a PD's tamper switch or a relay failing shows
// without a reload. The reload and log-level forms below them are left as they are.

{
  const box = document.getElementById("devices");
  const EVERY_MS = 2000;
  let fetching = false;
  const refresh = () => {
    if (fetching || !box || document.hidden) return;
    fetching = true;
    fetch(box.dataset.refresh, { credentials: "same-origin" })
      .then((r) => {
        // A session that ended sends the page to the login: reload so the browser follows.
        if (r.redirected) location.reload();
        return r.ok && !r.redirected ? r.text() : null;
      })
      .then((text) => {
        if (text !== null) box.innerHTML = text;
      })
      .catch(() => {})
      .finally(() => {
        fetching = false;
      });
  };
  if (box) setInterval(refresh, EVERY_MS);
}
