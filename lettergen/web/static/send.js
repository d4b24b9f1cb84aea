// lettergen serve: the ส่งทางอีเมล page's script. While a send runs, each recipient's row
// says where its letter stands (asked of the server every second, sooner at the start);
// when the send ends, the page is drawn again with its outcome and what is left to send.
"use strict";

(function () {
  const { $, $$, call, online, pauses } = window.lettergen;
  const box = $("#statuses");
  if (!box || box.dataset.sending !== "running") return;

  function show(rows) {
    for (const row of rows) {
      const tr = $(`tr[data-rid="${CSS.escape(row.id)}"]`, box);
      if (!tr) continue;
      tr.dataset.status = row.status;
      $("[data-status-text]", tr).textContent = row.status_text;
      $("[data-detail]", tr).textContent = row.detail;
    }
    $("#count-sent").textContent = rows.filter((row) => row.status === "sent").length;
  }

  (async () => {
    for await (const _ of pauses(250, 1000)) {  // 0.25 s, 0.5 s, then every second
      let data;
      try {
        ({ data } = await call(box.dataset.statusFrom));
      } catch (e) { await online(); continue; }
      if (data.rows) show(data.rows);
      if (data.state !== "running") { location.reload(); return; }
    }
  })();
})();
