// lettergen serve: what every page's script shares (no libraries, no build step): talking
// to the server (and saying plainly when it cannot be reached, then carrying on when it is
// back), uploads by drop or choice, and the sets and reminders made in the background, whose
// register numbers the clerk agrees to just before they are taken.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
  // Waits of ``first`` ms, then twice as long each time, up to ``most`` ms, for as long as
  // asked: how the page asks the server again after something it waits for.
  async function* pauses(first, most) {
    for (let pause = first; ; pause = Math.min(most, pause * 2)) yield await sleep(pause);
  }

  // --- the server, and when it cannot be reached ---------------------------------------------
  // A request that gets no answer at all (the server stopped, the network is down) throws
  // Offline: the page says so at once, keeps what the clerk typed, and asks the server again
  // after half a second, then a second, then every two seconds (a server restarted is back
  // within a second or two, and the page with it); whatever waits for it (online()) carries
  // on when it answers again.
  class Offline extends Error {}
  let offline = false;
  let waiting = [];

  function showOffline(shown) {
    const box = $("#offline");
    if (box) box.hidden = !shown;
    document.body.classList.toggle("offline", shown);
  }

  async function probe() {
    for await (const _ of pauses(500, 2000)) {
      try {
        const answer = await fetch("/alive", { cache: "no-store", credentials: "same-origin" });
        if (answer.ok) break;
      } catch (e) { /* still away */ }
    }
    offline = false;
    showOffline(false);
    const done = waiting;
    waiting = [];
    done.forEach((resolve) => resolve());
  }

  function wentOffline() {
    if (offline) return;
    offline = true;
    showOffline(true);
    probe();
  }

  function online() {
    return offline ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve();
  }

  async function call(url, { method = "GET", body = null, json = false } = {}) {
    // {status, data} of a request to the server; Offline when there is no answer.
    const headers = { "Accept": "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = csrf;
    if (json) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(url, { method, headers, credentials: "same-origin",
                                    body: json ? JSON.stringify(body) : body });
    } catch (e) {
      wentOffline();
      throw new Offline();
    }
    let data = {};
    try { data = await response.json(); } catch (e) {
      data = { error: "เซิร์ฟเวอร์ตอบกลับไม่ถูกต้อง (" + response.status + ")" };
    }
    return { status: response.status, data };
  }

  async function callUntilAnswered(url, options) {
    // call(), waiting for the server as long as it takes: nothing the clerk did is dropped
    for (;;) {
      try { return await call(url, options); } catch (e) {
        if (!(e instanceof Offline)) throw e;
        await online();
      }
    }
  }

  function debounce(fn, ms) {
    // fn once typing has paused for ms; .now() at once (a choice made, a field left)
    let timer = null;
    const later = (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
    later.now = (...args) => { clearTimeout(timer); fn(...args); };
    return later;
  }

  window.lettergen = { $, $$, csrf, call, callUntilAnswered, online, Offline, debounce, sleep, pauses };

  // --- uploads (drag and drop too) -------------------------------------------------------------
  // The server refuses a body over 20 MB with this message too; saying it here spares the
  // clerk the wait of sending a file that is refused anyway.
  const UPLOAD_LIMIT = 20 * 1024 * 1024;
  const TOO_LARGE = "ไฟล์ใหญ่เกินไป: อัปโหลดได้ไม่เกิน 20 MB ต่อครั้ง";
  $$('input[type="file"]').forEach((input) => input.addEventListener("change", () => {
    const shown = input.closest("form")?.querySelector("[data-file-name]");
    if (shown) shown.textContent = input.files.length ? input.files[0].name : "ยังไม่ได้เลือกไฟล์";
  }));
  $$("form[data-upload]").forEach((upload) => {
    const input = $('input[type="file"]', upload);
    const errorBox = $(".error", upload);
    ["dragenter", "dragover"].forEach((name) => upload.addEventListener(name, (event) => {
      event.preventDefault(); upload.classList.add("over");
    }));
    ["dragleave", "drop"].forEach((name) => upload.addEventListener(name, () => upload.classList.remove("over")));
    upload.addEventListener("drop", (event) => {
      event.preventDefault();
      if (event.dataTransfer?.files?.length) { input.files = event.dataTransfer.files; upload.requestSubmit(); }
    });
    upload.addEventListener("submit", async (event) => {
      event.preventDefault();
      const say = (text) => { errorBox.textContent = text; errorBox.hidden = false; };
      if (!input.files.length) { say("ยังไม่ได้เลือกไฟล์"); return; }
      errorBox.hidden = true;
      if (input.files[0].size > UPLOAD_LIMIT) { say(TOO_LARGE); return; }
      let data;
      try {
        ({ data } = await call(upload.action, { method: "POST", body: new FormData(upload) }));
      } catch (e) {
        say("อัปโหลดไม่สำเร็จ: ติดต่อเซิร์ฟเวอร์ไม่ได้ เลือกไฟล์แล้วอัปโหลดอีกครั้งเมื่อติดต่อได้");
        return;
      }
      if (data.error) { say(data.error); errorBox.focus?.(); return; }
      if (data.go) location.assign(data.go); else location.reload();
    });
  });

  // --- sets and reminders made in the background ------------------------------------------------
  // The numbers a set will take are asked for again just before the clerk is asked to agree
  // to them; the server makes the set only if they are still those, else it answers with the
  // numbers it would take now ("changed"), and the clerk is asked again.
  const jobBox = $("#job");
  const startForm = $("[data-numbers-from]");

  function timeText(seconds) {
    if (seconds === null || seconds === undefined) return "-";
    seconds = Math.round(seconds);
    return seconds >= 60 ? `${Math.floor(seconds / 60)} นาที ${seconds % 60} วินาที` : `${seconds} วินาที`;
  }

  function numbersQuery() {
    // the form's choices (the signing memo, the reminder's fields), not its token
    const params = new URLSearchParams(new FormData(startForm));
    params.delete("csrf"); params.delete("expect"); params.delete("passphrase"); params.delete("sign");
    const text = params.toString();
    return text ? "?" + text : "";
  }

  function showNumbers(fresh) {
    if (!startForm) return;
    $$("[data-numbers]").forEach((el) => { el.textContent = fresh.numbers; });
    $$("[data-letters]").forEach((el) => { el.textContent = fresh.letters; });
    $$("[data-register-year]").forEach((el) => { el.textContent = fresh.register_year; });
    const expect = $("[data-expect]", startForm);
    if (expect) expect.value = fresh.numbers;
  }

  async function freshNumbers() {
    const { data } = await callUntilAnswered(startForm.dataset.numbersFrom + numbersQuery());
    const memoError = $("#memo-error");
    if (memoError) memoError.hidden = true;
    if (data.error) {
      const memo = $("[data-memo]", startForm);
      if (memo?.checked && memoError) {  // the signing memo cannot be made: say why, beside it
        memoError.textContent = data.error; memoError.hidden = false; memo.checked = false;
        return freshNumbers();
      }
      return data;
    }
    showNumbers(data);
    return data;
  }

  function question(fresh, changed) {
    const what = startForm.dataset.what || "หนังสือ";
    const before = changed ? "เลขที่หนังสือในทะเบียนเปลี่ยนไปแล้ว (มีการสร้างหนังสือชุดอื่นก่อน)\n\n" : "";
    return `${before}สร้าง${what} ${fresh.letters} ฉบับ โดยใช้เลขที่ ${fresh.numbers} จาก${fresh.register_year} ใช่หรือไม่?`;
  }

  async function startSet(button) {
    let fresh = await freshNumbers();
    if (fresh.error) { jobError(fresh.error); return; }
    let changed = false;
    for (;;) {
      if (!window.confirm(question(fresh, changed))) return;
      const body = new FormData(startForm);
      body.set("expect", fresh.numbers);
      const { data } = await callUntilAnswered(startForm.dataset.start || startForm.action,
                                                       { method: "POST", body });
      if (data.changed) { fresh = data; changed = true; showNumbers(fresh); continue; }
      if (data.error && data.field === "passphrase") { signError(data.error); button.disabled = false; return; }
      if (data.error) { jobError(data.error); return; }
      const passphrase = $("#passphrase");
      if (passphrase) passphrase.value = "";  // asked again for the next set
      if (data.go) { location.assign(data.go); return; }
      history.replaceState(null, "", location.pathname + "?job=" + encodeURIComponent(data.job));
      pollJob(data.job);
      return;
    }
  }

  function signError(text) {
    // the certificate's passphrase refused: said at its field, nothing made
    const box = $("#sign-error"), field = $("#passphrase");
    if (!box) { jobError(text); return; }
    box.textContent = text; box.hidden = false;
    field?.setAttribute("aria-invalid", "true");
    field?.focus();
  }

  function jobError(text) {
    const box = $("#job-error");
    if (!box) return;
    if (jobBox) jobBox.hidden = false;
    box.textContent = text; box.hidden = false;
  }

  async function pollJob(id) {
    jobBox.hidden = false;
    jobBox.dataset.job = id;
    $("#cancel-form").action = `/jobs/${encodeURIComponent(id)}/cancel`;
    const bar = $("#job-bar"), text = $("#job-text");
    let data;
    try {
      ({ data } = await call(`/jobs/${encodeURIComponent(id)}`));
    } catch (e) {
      text.textContent = "ติดต่อเซิร์ฟเวอร์ไม่ได้: ยังไม่รู้ว่างานนี้เป็นอย่างไร จะดูต่อเมื่อติดต่อได้อีกครั้ง";
      await online();
      pollJob(id);
      return;
    }
    if (data.error && !data.state) { text.textContent = data.error; return; }
    if (data.total) { bar.max = data.total; bar.value = data.done; }
    if (data.state === "running") {
      $("#cancel").hidden = false;
      if (startForm) $("[data-start-set]").disabled = true;
      text.textContent = data.phase === "check" ? "กำลังตรวจข้อมูลและเตรียมงาน…" :
        !data.done ? `เสร็จ 0 จาก ${data.total} ฉบับ · กำลังวางหน้าชุดแรก…` :
        `เสร็จ ${data.done} จาก ${data.total} ฉบับ · ${data.rate.toFixed(1)} ฉบับ/วินาที · เหลืออีกประมาณ ${timeText(data.left)}`;
      setTimeout(() => pollJob(id), 400);
      return;
    }
    $("#cancel").hidden = true;
    if (startForm) { $("[data-start-set]").disabled = false; freshNumbers(); }  // a next set's numbers
    if (document.querySelector(`[data-run="${id}"][data-state="running"]`)) {
      location.reload();  // the list below was drawn while the job ran: draw it again
      return;
    }
    if (data.state === "done") {
      bar.max = 1; bar.value = 1;
      text.textContent = `เสร็จแล้ว: หนังสือ ${data.letters} ฉบับ ${data.pages} หน้า ใน ${timeText(data.seconds)}`;
      const files = $("#job-files");
      $$("[data-file]", files).forEach((a) => {
        const key = a.dataset.file;
        a.parentElement.hidden = !(data.files && data.files[key]);
        a.href = `/jobs/${encodeURIComponent(id)}/${key}`;
      });
      files.hidden = false;
      const signed = $("#job-signed"), send = $("#job-send");
      if (signed) signed.hidden = !data.signed;
      if (send) {
        send.hidden = !data.mail;
        $("a", send).href = `/send/${encodeURIComponent(id)}`;
      }
    } else {
      text.textContent = data.state_text || data.state;
      if (data.error) jobError(data.error);
    }
  }

  if (startForm) {
    const button = $("[data-start-set]", startForm);
    button?.addEventListener("click", async (event) => {
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      $("#job-files")?.setAttribute("hidden", "");
      $("#job-error")?.setAttribute("hidden", "");
      $("#sign-error")?.setAttribute("hidden", "");
      $("#passphrase")?.removeAttribute("aria-invalid");
      try { await startSet(button); } finally { if ($("#cancel")?.hidden !== false) button.disabled = false; }
    });
    $("[data-memo]", startForm)?.addEventListener("change", () => freshNumbers());
    const sign = $("[data-sign]", startForm);
    sign?.addEventListener("change", () => {
      $("[data-sign-only]", startForm).hidden = !sign.checked;
      $("#sign-error").hidden = true;
      if (sign.checked) $("#passphrase")?.focus();
    });
  }
  // Reminders being made (the follow-up page): the list is drawn again when they are done,
  // asked after 0.25 s, then twice as long each time up to every second (a few reminders
  // are done within a second).
  const runningRow = $('[data-job-row][data-state="running"]');
  if (runningRow) (async () => {
    for await (const _ of pauses(250, 1000)) {
      try {
        const { data } = await call(`/jobs/${encodeURIComponent(runningRow.dataset.jobRow)}`);
        if (data.state !== "running") { location.reload(); return; }
      } catch (e) { await online(); }
    }
  })();

  if (jobBox) {
    if (jobBox.dataset.job) pollJob(jobBox.dataset.job);
    $("#cancel-form")?.addEventListener("submit", async (event) => {
      event.preventDefault();
      await callUntilAnswered(event.target.action, { method: "POST", body: new FormData(event.target) });
    });
  }
})();
