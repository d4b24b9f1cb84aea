// lettergen serve: the letter page's script. The letter form is sent as a whole after each
// edit (debounced); the server checks it with the CLI's own rules and answers with the error,
// if any, named by its spec key, which is shown beside that field. The preview is redrawn
// after each accepted edit. The preview pages' script (the preview page) is here too.
"use strict";

(function () {
  const { $, $$, call, callUntilAnswered, Offline, debounce } = window.lettergen;

  // --- the preview -------------------------------------------------------------------------
  const pagesBox = $("[data-live-preview]");
  let previewSeq = 0;

  async function refreshPreview(known) {
    // known: the preview the letter's update drew already ({version, pages}); else asked for
    if (!pagesBox) return;
    const seq = ++previewSeq;
    const status = $("#preview-status");
    const errorBox = $("#preview-error");
    const choice = $("[data-preview-choice]");
    const rid = choice ? choice.value : "";
    if (status) status.textContent = "กำลังวาดตัวอย่าง…";
    pagesBox.classList.add("stale");  // the pages shown are of the letter before the edit
    pagesBox.setAttribute("aria-busy", "true");
    let data = known && !rid ? known : null;
    if (!data) ({ data } = await callUntilAnswered("/preview/api" + (rid ? "?rid=" + encodeURIComponent(rid) : "")));
    if (seq !== previewSeq) return;  // a newer edit has asked again
    pagesBox.removeAttribute("aria-busy");
    if (data.error) {
      if (errorBox) { errorBox.textContent = data.error.text || data.error; errorBox.hidden = false; }
      if (status) status.textContent = "";
      showFieldError(data.error);
      return;
    }
    if (errorBox) errorBox.hidden = true;
    // Page 1 first, shown as soon as it is drawn (the server draws one page at a time, so
    // the others wait until it is there); the pages after it replace the old ones as they come.
    const image = (page) => {
      const img = new Image();
      img.src = `/preview/${data.version}/${page}.png`;
      img.alt = `หน้า ${page} จาก ${data.pages}`;
      img.width = 827; img.height = 1169;
      img.dataset.page = String(page);
      return img;
    };
    const first = image(1);
    await first.decode().catch(() => null);
    if (seq !== previewSeq) return;
    const old = Array.from(pagesBox.children).slice(1, data.pages);
    pagesBox.replaceChildren(first, ...old);
    if (status) status.textContent = `${data.pages} หน้า`;
    const pdf = $("#download-pdf"), docx = $("#download-docx");
    if (pdf) pdf.href = `/preview/${data.version}/letter.pdf`;
    if (docx) docx.href = `/preview/${data.version}/letter.docx`;
    for (let page = 2; page <= data.pages; page++) {
      const img = image(page);
      await img.decode().catch(() => null);
      if (seq !== previewSeq) return;
      const shown = pagesBox.children[page - 1];
      if (shown) shown.replaceWith(img); else pagesBox.appendChild(img);
    }
    pagesBox.classList.remove("stale");
    pagesBox.dataset.version = data.version;  // every page of this version is shown
  }

  const choice = $("[data-preview-choice]");
  if (choice) choice.addEventListener("change", () => {
    history.replaceState(null, "", "/preview?rid=" + encodeURIComponent(choice.value));
    refreshPreview();
  });
  if (pagesBox) refreshPreview();

  // --- the letter form ---------------------------------------------------------------------
  const form = $("#letter-form");

  function collectForm() {
    const values = {};
    $$("[data-key]", form).forEach((el) => {
      if (el.dataset.list || el.dataset.textOf || el.dataset.linkUrl !== undefined || el.closest("[data-step]")) return;
      values[el.dataset.key] = el.type === "checkbox" ? el.checked : el.value;
    });
    values["body.paragraphs"] = $$('[data-list="body.paragraphs"]', form).map((el) => el.value);
    values["links"] = $$("[data-link]", form).map((row) => [$("[data-link-name]", row).value, $("[data-link-url]", row).value]);
    values["steps.step"] = $$("[data-step]", form).map((step) => ({
      title: $("[data-step-title]", step).value,
      items: $("[data-step-items]", step).value,
      channel: $("[data-step-channel]", step).value,
    }));
    for (const name of ["district", "direct"]) {
      const texts = {};
      $$(`[data-text-of="${name}"]`, form).forEach((el) => { texts[el.dataset.textName] = el.value; });
      values[`variants.${name}.text`] = texts;
    }
    return values;
  }

  function clearErrors() {
    $$(".field-error", form).forEach((p) => { p.hidden = true; p.textContent = ""; });
    $$("[aria-invalid]", form).forEach((el) => el.removeAttribute("aria-invalid"));
    const top = $("#form-error");
    if (top) { top.hidden = true; top.textContent = ""; }
  }

  function fieldFor(key) {
    // The field of a spec key, or of the nearest key above it ("steps.step[1].channel[2].qr"
    // is shown at "steps.step[1].channel").
    while (key) {
      const el = $$("[data-key]", form).find((e) => e.dataset.key === key);
      if (el) return el;
      const cut = Math.max(key.lastIndexOf("."), key.lastIndexOf("["));
      if (cut <= 0) break;
      key = key.slice(0, cut);
    }
    return null;
  }

  function showFieldError(error) {
    if (!form || !error) return;
    // Beside its field the message alone; above the form too, with where it is only when
    // no field shows it (the spec key means nothing to a clerk who sees the field).
    const el = error.key ? fieldFor(error.key) : null;
    const top = $("#form-error");
    if (top) { top.textContent = (el && error.message) || error.text || error.message || String(error); top.hidden = false; }
    if (!el) return;
    el.setAttribute("aria-invalid", "true");
    el.editor?.el.setAttribute("aria-invalid", "true");
    const box = el.closest(".field, li, td")?.querySelector(".field-error");
    if (box) { box.textContent = error.message || error.text; box.hidden = false; }
  }

  let updateSeq = 0;
  const sendForm = debounce(async () => {
    const mine = ++updateSeq;
    previewSeq++;  // the pages of the letter before this edit are no longer fetched
    const status = $("#form-status");
    if (status) status.textContent = "กำลังตรวจ…";
    let data;
    try {
      ({ data } = await call("/letter/update", { method: "POST", body: collectForm(), json: true }));
    } catch (e) {
      if (!(e instanceof Offline)) throw e;
      // The server is away: the form stays as typed, and is sent when it is back.
      if (status) status.textContent = "ยังไม่ได้ส่งการแก้ไข: รอให้ติดต่อเซิร์ฟเวอร์ได้";
      await window.lettergen.online();
      if (mine === updateSeq) sendForm.now();
      return;
    }
    if (mine !== updateSeq) return;  // a later edit was sent meanwhile: its answer counts
    const note = $("#draft-note");
    if (note && data.saved) note.textContent = "ร่างล่าสุด บันทึกอัตโนมัติเมื่อ " + data.saved;
    clearErrors();
    if (data.error) {
      showFieldError(data.error);
      if (status) status.textContent = "";
      if (pagesBox) {  // the preview is of the letter before this edit: say so
        previewSeq++;  // and a preview still on its way is not shown as current
        pagesBox.classList.add("stale");
        const errorBox = $("#preview-error");
        if (errorBox) { errorBox.textContent = "ตัวอย่างนี้ยังเป็นหนังสือก่อนแก้ไข: แก้ข้อผิดพลาดในฟอร์มแล้วตัวอย่างจะวาดใหม่"; errorBox.hidden = false; }
      }
      return;
    }
    if (status) status.textContent = "ตรวจแล้ว ใช้ได้ · ตัวอย่างวาดใหม่ตามที่แก้ (บันทึกเป็นร่างแล้ว)";
    refreshPreview(data.preview);
  }, 250);

  function renumber() {
    $$('[data-list="body.paragraphs"]', form).forEach((el, i) => {
      el.dataset.key = `body.paragraphs[${i}]`; el.id = `f-body.paragraphs[${i}]`;
      const li = el.closest("li"); if (!el.editor) $("label", li).htmlFor = el.id; $("[data-number]", li).textContent = i + 1;
    });
    $$("[data-step]", form).forEach((step, i) => {
      $("[data-number]", step).textContent = i + 1;
      for (const [attr, part] of [["data-step-title", "title"], ["data-step-items", "items"], ["data-step-channel", "channel"]]) {
        const el = $(`[${attr}]`, step);
        el.dataset.key = `steps.step[${i}].${part}`; el.id = `f-steps.step[${i}].${part}`;
        const label = el.closest(".field").querySelector("label");
        if (!el.editor && !el.channel) label.htmlFor = el.id;
      }
    });
    $$("[data-link]", form).forEach((row) => {
      const url = $("[data-link-url]", row);
      url.dataset.key = "links." + $("[data-link-name]", row).value.trim();
    });
  }

  const editors = () => window.lettergen.editors;

  function addFrom(list, make) {
    const item = make();
    list.appendChild(item);
    renumber();
    editors()?.attach(item);
    $$("[data-step-channel]", item).forEach(channelRows);
    const first = item.querySelector(".chip-editor, input:not([hidden]), textarea:not([hidden])");
    if (first) first.focus();
  }

  // --- a step's channel: lines of text, and QR codes of the letter's links ---------------------
  // The field the form sends keeps the lines as the spec reader reads them ("QR: name |
  // caption"); the clerk sees rows: a text (with its chips), or a QR Code chosen among the links.
  const QR_LINE = /^\s*QR\s*:\s*([^|\s]+)\s*(?:\|\s*(.*?))?\s*$/i;

  function linkChoices() {
    return $$("[data-link]", form).map((row) => [$("[data-link-name]", row).value.trim(),
                                                 $("[data-link-url]", row).value.trim()]).filter(([name]) => name);
  }

  function channelRows(textarea) {
    if (textarea.channel) return;
    const box = document.createElement("div");
    box.className = "channel";
    const rows = document.createElement("div");
    const sync = () => {
      const lines = $$(".channel-row", rows).map((row) => row.dataset.kind === "qr"
        ? "QR: " + $("select", row).value + ($("[data-caption]", row).value.trim() ? " | " + $("[data-caption]", row).value.trim() : "")
        : $("[data-text]", row).value);
      const text = lines.join("\n");
      if (text !== textarea.value) { textarea.value = text; textarea.dispatchEvent(new Event("input", { bubbles: true })); }
    };
    const row = (kind, first = "", second = "") => {
      const el = document.createElement("div");
      el.className = "channel-row"; el.dataset.kind = kind;
      if (kind === "qr") {
        const choices = linkChoices();
        if (first && !choices.some(([name]) => name === first)) choices.push([first, first]);
        el.innerHTML = '<span class="label">QR Code ของ</span><select aria-label="ลิงก์ของ QR Code"></select>' +
          '<input data-caption aria-label="คำอธิบายใต้ QR Code" placeholder="คำอธิบายใต้ QR Code">';
        const select = $("select", el);
        choices.forEach(([name, url]) => select.add(new Option(url ? "ลิงก์ " + url.replace(/^https?:\/\//, "") : name, name)));
        select.value = first; $("[data-caption]", el).value = second;
      } else {
        el.innerHTML = '<input data-text data-chips aria-label="ข้อความในช่องทาง">';
        $("[data-text]", el).value = first;
      }
      const remove = document.createElement("button");
      remove.type = "button"; remove.className = "link"; remove.textContent = "ลบ";
      remove.addEventListener("click", () => { el.remove(); sync(); });
      el.append(remove);
      rows.append(el);
      editors()?.attach(el);
      return el;
    };
    textarea.value.split("\n").filter((line) => line.trim()).forEach((line) => {
      const qr = line.match(QR_LINE);
      if (qr) row("qr", qr[1], qr[2] || ""); else row("text", line);
    });
    const add = document.createElement("p");
    add.innerHTML = '<button type="button" class="link" data-add="text">เพิ่มข้อความ</button> ' +
      '<button type="button" class="link" data-add="qr">เพิ่ม QR Code</button>';
    add.addEventListener("click", (event) => {
      const kind = event.target.dataset.add;
      if (!kind) return;
      const made = row(kind, kind === "qr" ? (linkChoices()[0] || [""])[0] : "");
      sync();
      (made.querySelector(".chip-editor, select") || made).focus();
    });
    rows.addEventListener("input", (event) => { if (event.target !== textarea) sync(); });
    rows.addEventListener("change", sync);
    box.append(rows, add);
    textarea.hidden = true;
    textarea.after(box);
    textarea.channel = box;
  }

  // --- a narrow window: the form and the preview on tabs ------------------------------------------
  const tabs = $(".view-tabs");
  if (tabs) tabs.addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tab]");
    if (!tab) return;
    const preview = tab.id === "tab-preview";
    document.querySelector("main").classList.toggle("show-preview", preview);
    $$("[role=tab]", tabs).forEach((t) => t.setAttribute("aria-selected", String(t === tab)));
  });

  if (form) {
    const initial = form.dataset.error ? JSON.parse(form.dataset.error) : null;
    if (initial) showFieldError(initial);
    $$("[data-step-channel]", form).forEach(channelRows);
    form.addEventListener("input", (event) => {
      previewSeq++;  // an edit is coming: the pages of the letter before it are not fetched
      if (event.target.matches("[data-link-url]")) updateQr(event.target);
      if (event.target.matches("[data-link-name]")) renumber();
      sendForm();
    });
    form.addEventListener("change", () => sendForm.now());
    form.addEventListener("submit", (event) => event.preventDefault());
    form.addEventListener("click", (event) => {
      const remove = event.target.closest("[data-remove]");
      if (remove) {
        const item = remove.closest("li, tr");
        const next = item.nextElementSibling || item.previousElementSibling;
        item.remove(); renumber(); sendForm();
        (next?.querySelector(".chip-editor, input:not([hidden]), textarea:not([hidden])") ||
         form.querySelector("input:not([hidden])"))?.focus();
      }
    });
    $("#add-paragraph")?.addEventListener("click", () => addFrom($("#paragraphs"), () => {
      const li = document.createElement("li");
      li.className = "field wide"; li.dataset.item = "";
      li.innerHTML = '<label>ย่อหน้า <span data-number></span></label><textarea data-list="body.paragraphs" rows="4" data-chips></textarea>' +
        '<button type="button" class="link remove" data-remove>ลบย่อหน้านี้</button><p class="field-error" role="alert" hidden></p>';
      return li;
    }));
    $("#add-link")?.addEventListener("click", () => addFrom($("#links"), () => {
      const tr = document.createElement("tr");
      tr.dataset.link = "";
      tr.innerHTML = '<td><input aria-label="ชื่อเรียกลิงก์" data-link-name size="10"></td><td><input aria-label="ที่อยู่เว็บของลิงก์" data-link-url data-key="links.">' +
        '<p class="field-error" role="alert" hidden></p></td><td class="qr"></td><td><button type="button" class="link" data-remove>ลบ</button></td>';
      return tr;
    }));
    $("#add-step")?.addEventListener("click", () => addFrom($("#steps"), () => {
      const li = document.createElement("li");
      li.className = "step"; li.dataset.step = "";
      li.innerHTML = '<h3>ขั้นตอนที่ <span data-number></span></h3>' +
        '<div class="field wide"><label>หัวข้อ</label><input data-step-title data-chips><p class="field-error" role="alert" hidden></p></div>' +
        '<div class="row"><div class="field"><label>รายการ (ขึ้นบรรทัดใหม่ทีละข้อ)</label><textarea data-step-items rows="4" data-chips="lines"></textarea><p class="field-error" role="alert" hidden></p></div>' +
        '<div class="field"><label>ช่องทาง / QR Code</label><textarea data-step-channel rows="4"></textarea><p class="field-error" role="alert" hidden></p></div></div>' +
        '<button type="button" class="link remove" data-remove>ลบขั้นตอนนี้</button>';
      return li;
    }));
  }

  const updateQr = debounce((input) => {
    const cell = input.closest("tr")?.querySelector(".qr");
    if (!cell) return;
    const url = input.value.trim();
    if (!/^https?:\/\/\S+$/.test(url)) { cell.replaceChildren(); return; }
    const img = new Image(64, 64);
    img.alt = "QR Code ของ " + url;
    img.src = "/letter/qr?url=" + encodeURIComponent(url);
    cell.replaceChildren(img);
  }, 400);

})();

// --- one letter's own edit (the preview page) ---------------------------------------------------
// The paragraphs of the letter chosen, edited for it alone with a note that goes into the
// register's remark; its preview is drawn again with them.
(function () {
  const { $, $$, call, callUntilAnswered } = window.lettergen;
  const section = $("#own-edit"), open = $("#own-open"), choice = $("[data-preview-choice]");
  if (!section || !open || !choice) return;
  const list = $("#own-paragraphs"), note = $("#own-note"), status = $("#own-status");

  async function show() {
    const rid = choice.value;
    const { data } = await callUntilAnswered("/preview/own?rid=" + encodeURIComponent(rid));
    section.hidden = false;
    section.dataset.rid = rid;
    $("[data-own-name]", section).textContent = choice.selectedOptions[0]?.textContent || "";
    $("#own-refused").hidden = data.allowed !== false;
    list.replaceChildren();
    note.value = data.note || "";
    status.textContent = data.edited ? "ฉบับนี้ใช้ข้อความที่แก้ไว้" : "";
    if (!data.allowed) { $("#own-save").disabled = true; return; }
    $("#own-save").disabled = false;
    window.lettergen.editors.setLabels(data.labels || {});
    (data.paragraphs || []).forEach((text, i) => {
      const li = document.createElement("li");
      li.className = "field wide";
      li.innerHTML = `<label id="own-p${i}-label">ย่อหน้า ${i + 1}</label><textarea rows="4" data-chips data-own-paragraph></textarea>`;
      $("textarea", li).value = text;
      list.append(li);
    });
    window.lettergen.editors.attach(list);
    (list.querySelector(".chip-editor") || note).focus();
  }

  async function save(drop) {
    const body = { rid: section.dataset.rid, note: note.value, drop,
                   paragraphs: $$("[data-own-paragraph]", list).map((el) => el.value) };
    status.textContent = "กำลังบันทึก…";
    const { data } = await callUntilAnswered("/preview/own", { method: "POST", body, json: true });
    if (data.error) { status.textContent = data.error; return; }
    status.textContent = drop ? "ฉบับนี้กลับไปใช้ข้อความเดียวกับฉบับอื่นแล้ว" : "บันทึกแล้ว: ตัวอย่างวาดใหม่ด้วยข้อความที่แก้";
    if (drop) section.hidden = true;
    choice.dispatchEvent(new Event("change"));  // the preview of this letter, drawn again
  }

  open.addEventListener("click", show);
  $("#own-save").addEventListener("click", () => save(false));
  $("#own-drop").addEventListener("click", () => save(true));
  choice.addEventListener("change", () => { if (!section.hidden && section.dataset.rid !== choice.value) show(); });
})();
