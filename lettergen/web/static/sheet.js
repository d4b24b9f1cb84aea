// lettergen serve: the recipients page's script. Every bad row is marked at its cell; the
// clerk steps through them (the header row stays in view above the table while they do),
// and unticks the rows that are not to be sent in this set.
"use strict";

(function () {
  const { $, $$, callUntilAnswered } = window.lettergen;

  // --- stepping through the bad rows ----------------------------------------------------------
  const box = $("#sheet-problems");
  const cells = $$("[data-problem]").sort((a, b) => a.dataset.problem - b.dataset.problem);
  let current = 0;

  function show(index) {
    if (!cells.length) return;
    current = (index + cells.length) % cells.length;
    const cell = cells[current];
    cells.forEach((c) => c.classList.toggle("current", c === cell));
    $("#problem-number").textContent = `ปัญหาที่ ${current + 1} จาก ${box.dataset.count}`;
    $("#problem-text").textContent = cell.dataset.text;
    $("#problem-go").href = "#" + cell.id;
    cell.scrollIntoView({ block: "center", inline: "nearest" });
    cell.focus({ preventScroll: true });
  }

  if (box && cells.length) {
    $("#problem-next").addEventListener("click", () => show(current + 1));
    $("#problem-prev").addEventListener("click", () => show(current - 1));
    $("#problem-go").addEventListener("click", (event) => { event.preventDefault(); show(current); });
  }

  // --- the rows sent in this set (Word's "edit recipient list") -------------------------------
  async function choose(body) {
    await callUntilAnswered("/recipients/choose", { method: "POST", body, json: true });
    location.reload();  // the plan, drawn again for the rows chosen
  }
  $$("#sheet-table [data-rid]").forEach((tick) => tick.addEventListener("change", () => {
    tick.closest("tr").classList.toggle("left-out", !tick.checked);
    choose({ id: tick.dataset.rid, included: tick.checked });
  }));
  $("#tick-all")?.addEventListener("click", () => choose({ all: true }));
})();
