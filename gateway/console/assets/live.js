// The live page's script (gateway/console/livePage.ts): adds each decision the server streams
// (newest first, text only, never markup) and fetches the door and device panels again after each
// decision and every few seconds, so a mode change or a device going BAD shows without a reload.

{
  const table = document.getElementById("decisions");
  const panels = document.getElementById("panels");
  const MAX_ROWS = 200;
  const COLUMNS = ["time", "door", "decision", "name", "message", "reason", "card"];
  let fetching = false;
  const refresh = () => {
    if (fetching || !panels) return;
    fetching = true;
    fetch(table.dataset.panels, { credentials: "same-origin" })
      .then((r) => {
        // A session that ended sends the page to the login: reload so the browser follows.
        if (r.redirected) location.reload();
        return r.ok && !r.redirected ? r.text() : null;
      })
      .then((text) => {
        if (text !== null) panels.innerHTML = text;
      })
      .catch(() => {})
      .finally(() => {
        fetching = false;
      });
  };
  const addRow = (row) => {
    const tr = document.createElement("tr");
    tr.className = row.decision === "GRANTED" ? "grant" : "deny";
    for (const key of COLUMNS) {
      const td = document.createElement("td");
      if (key === "decision")
        td.append(Object.assign(document.createElement("strong"), { textContent: row[key] }));
      else td.textContent = row[key];
      tr.append(td);
    }
    const body = table.tBodies[0];
    body.prepend(tr);
    while (body.rows.length > MAX_ROWS) body.deleteRow(-1);
  };
  if (table) {
    const source = new EventSource(table.dataset.stream);
    source.addEventListener("panels", () => refresh());
    source.addEventListener("decision", (message) => {
      addRow(JSON.parse(message.data));
      refresh();
    });
    setInterval(refresh, 5000);
  }
}
