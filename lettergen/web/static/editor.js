// lettergen serve: fields, not code. A text of the letter (a paragraph, the addressee, a step)
// is spec text: placeholders ({{ progress.percent }}) and markup (**bold**, __underlined__).
// The clerk edits it in an editor that shows each placeholder as a labelled chip
// («ร้อยละที่ดำเนินการแล้ว»), edited, copied and moved as one unit, and bold or underlined
// runs as formatting (the toolbar's ตัวหนา and ขีดเส้นใต้). The field the form sends keeps
// the spec text itself, exactly: an editor is made only for a text it gives back unchanged,
// and a text it cannot (markup it does not know) stays as it is, marked as advanced. An
// expression no chip names is shown as it is, marked ขั้นสูง.
"use strict";

(function () {
  const { $, $$ } = window.lettergen;
  const EXPRESSION = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
  const MARKUP = /\*\*([\s\S]+?)\*\*|__([\s\S]+?)__/g;  // as the letters read it (templating.py)
  const HOLE = 0xe000;  // private-use characters stand for the expressions while markup is read
  let labels = JSON.parse($("#chip-labels")?.textContent || "{}");
  const key = (source) => source.replace(/\s+/g, "");

  function chip(source) {
    const el = document.createElement("span");
    el.className = "ph";
    el.contentEditable = "false";
    el.draggable = true;
    el.dataset.source = source;
    const label = labels[key(source)];
    if (label) {
      el.textContent = label;
      el.title = label;
    } else {  // no chip names it: shown as written, marked advanced
      el.classList.add("advanced");
      el.textContent = source;
      el.title = "ข้อความขั้นสูง: แก้ไขได้เมื่อคัดลอกทั้งข้อความไปแก้ในช่องข้อความขั้นสูง";
      const tag = document.createElement("small");
      tag.textContent = "ขั้นสูง";
      el.append(tag);
    }
    return el;
  }

  function pieces(text, holes, into) {
    // text whose expressions are holes -> text nodes, chips and line breaks, into ``into``
    let plain = "";
    const flush = () => { if (plain) into.append(document.createTextNode(plain)); plain = ""; };
    for (const ch of text) {
      const code = ch.codePointAt(0);
      if (code >= HOLE && code < HOLE + holes.length) { flush(); into.append(chip(holes[code - HOLE])); }
      else if (ch === "\n") { flush(); into.append(document.createElement("br")); }
      else plain += ch;
    }
    flush();
  }

  function parse(source) {
    // spec text -> the editor's nodes (a fragment)
    const holes = [];
    const text = source.replace(EXPRESSION, (found) => String.fromCodePoint(HOLE + holes.push(found) - 1));
    const fragment = document.createDocumentFragment();
    let at = 0;
    for (const match of text.matchAll(MARKUP)) {
      pieces(text.slice(at, match.index), holes, fragment);
      const run = document.createElement(match[1] !== undefined ? "b" : "u");
      pieces(match[1] !== undefined ? match[1] : match[2], holes, run);
      fragment.append(run);
      at = match.index + match[0].length;
    }
    pieces(text.slice(at), holes, fragment);
    return fragment;
  }

  function serialize(node, inside = "") {
    // the editor's nodes -> spec text; a run is bold or underlined, never both (as the
    // letters read it): formatting inside a run adds no markup of its own
    let out = "";
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) out += child.data;
      else if (child.nodeType !== Node.ELEMENT_NODE) continue;
      else if (child.dataset.source !== undefined) out += child.dataset.source;
      else if (child.tagName === "BR") out += "\n";
      else {
        const mark = inside ? "" : ({ B: "**", STRONG: "**", U: "__" }[child.tagName] || "");
        const inner = serialize(child, inside || mark);
        out += inner && mark ? mark + inner + mark : inner;
        if (["DIV", "P"].includes(child.tagName) && child.nextSibling) out += "\n";
      }
    }
    return out;
  }

  function tidy(root) {
    // runs the browser splits (<b>a</b><b>b</b>) made one again, empty ones taken out
    for (const el of $$("b, strong, u", root)) {
      if (!el.textContent && !el.querySelector(".ph")) { el.remove(); continue; }
      const next = el.nextSibling;
      if (next && next.nodeType === Node.ELEMENT_NODE && next.tagName === el.tagName) {
        el.append(...next.childNodes); next.remove();
      }
    }
  }

  let current = null;  // the editor the toolbar and the chips act on
  let saved = null;  // the caret in it when it was left

  class Editor {
    constructor(field) {
      this.field = field;
      this.multiline = field.tagName === "TEXTAREA" && field.dataset.chips === "lines";
      this.el = document.createElement("div");
      this.el.className = "chip-editor" + (field.tagName === "TEXTAREA" ? " tall" : "");
      this.el.contentEditable = "true";
      this.el.setAttribute("role", "textbox");
      if (this.multiline) this.el.setAttribute("aria-multiline", "true");
      const label = field.id && $(`label[for="${CSS.escape(field.id)}"]`);
      if (label) { label.htmlFor = ""; label.id = label.id || field.id + "-label"; this.el.setAttribute("aria-labelledby", label.id); }
      this.el.dataset.editorOf = field.id || "";
      this.el.append(parse(field.value));
      field.hidden = true;
      field.after(this.el);
      field.editor = this;
      this.listen();
    }

    sync() {
      tidy(this.el);
      const text = serialize(this.el);
      if (text === this.field.value) return;
      this.field.value = text;
      this.field.dispatchEvent(new Event("input", { bubbles: true }));
    }

    listen() {
      const el = this.el;
      el.addEventListener("input", () => this.sync());
      el.addEventListener("focus", () => { current = this; this.before = this.field.value; });
      el.addEventListener("blur", () => {
        const selection = getSelection();
        saved = selection.rangeCount && el.contains(selection.anchorNode) ? selection.getRangeAt(0).cloneRange() : null;
        if (this.field.value !== this.before) this.field.dispatchEvent(new Event("change", { bubbles: true }));
      });
      el.addEventListener("keydown", (event) => {
        if (event.key !== "Enter") return;
        event.preventDefault();
        if (this.multiline) { document.execCommand("insertLineBreak"); this.sync(); }
      });
      el.addEventListener("copy", (event) => this.copy(event, false));
      el.addEventListener("cut", (event) => this.copy(event, true));
      el.addEventListener("paste", (event) => {
        event.preventDefault();
        this.insert(event.clipboardData.getData("text/plain"));
      });
      el.addEventListener("dragstart", (event) => {
        // a chip, or the text selected, dragged as spec text (its chips whole), to be moved
        const node = event.target.nodeType === Node.TEXT_NODE ? event.target.parentElement : event.target;
        const moved = node?.closest?.(".ph");
        const selection = getSelection();
        if (moved) {
          dragged = { remove: () => moved.remove(), from: this };
          event.dataTransfer.setData("text/plain", moved.dataset.source);
        } else if (selection.rangeCount && !selection.isCollapsed) {
          const range = selection.getRangeAt(0).cloneRange();
          const holder = document.createElement("div");
          holder.append(range.cloneContents());
          dragged = { remove: () => range.deleteContents(), from: this };
          event.dataTransfer.setData("text/plain", serialize(holder));
        } else return;
        event.dataTransfer.effectAllowed = "move";
      });
      el.addEventListener("dragover", (event) => event.preventDefault());
      el.addEventListener("drop", (event) => this.drop(event));
    }

    copy(event, cut) {
      // the selection as spec text: a chip comes along as its placeholder, whole
      const selection = getSelection();
      if (!selection.rangeCount) return;
      const range = selection.getRangeAt(0);
      const holder = document.createElement("div");
      holder.append(range.cloneContents());
      event.clipboardData.setData("text/plain", serialize(holder));
      event.preventDefault();
      if (cut) { range.deleteContents(); this.sync(); }
    }

    insert(source, range = null) {
      // spec text put where the caret is (or ``range``), as chips and text
      const selection = getSelection();
      range = range || (selection.rangeCount && this.el.contains(selection.anchorNode)
        ? selection.getRangeAt(0) : (saved && this.el.contains(saved.startContainer) ? saved : null));
      if (!range) { range = document.createRange(); range.selectNodeContents(this.el); range.collapse(false); }
      range.deleteContents();
      const nodes = parse(source);
      const last = nodes.lastChild;
      range.insertNode(nodes);
      if (last) { range.setStartAfter(last); range.collapse(true); }
      selection.removeAllRanges(); selection.addRange(range);
      this.sync();
    }

    drop(event) {
      // a chip moved (or text dropped) where the pointer is: the chip leaves where it was
      event.preventDefault();
      const source = event.dataTransfer.getData("text/plain");
      const range = document.caretRangeFromPoint(event.clientX, event.clientY);
      if (!source || !range || !this.el.contains(range.startContainer)) return;
      if (dragged) { dragged.remove(); if (dragged.from !== this) dragged.from.sync(); dragged = null; }
      this.el.focus();
      this.insert(source, range);
    }
  }

  let dragged = null;

  function attach(root = document) {
    // an editor for each [data-chips] field whose text it gives back exactly
    for (const field of $$("[data-chips]", root)) {
      if (field.editor || field.classList.contains("advanced-text")) continue;
      const probe = document.createElement("div");
      probe.append(parse(field.value));
      if (serialize(probe) !== field.value) { advanced(field); continue; }
      const editor = new Editor(field);
      editor.el.editorObject = editor;
    }
  }

  function advanced(field) {
    // a text the editor would not give back as written: kept as it is, said to be advanced
    field.classList.add("advanced-text");
    const note = document.createElement("small");
    note.className = "advanced-note";
    note.textContent = "ข้อความขั้นสูง: แสดงตามที่เขียนไว้ แก้ไขได้ในช่องนี้โดยตรง";
    field.before(note);
  }

  function format(tag) {
    if (!current) return;
    current.el.focus();
    if (saved && !getSelection().rangeCount) { getSelection().addRange(saved); }
    document.execCommand(tag === "b" ? "bold" : "underline");
    current.sync();
  }

  // The toolbar and the chips act on the editor the clerk was last in, where its caret was.
  for (const button of $$("[data-format], [data-insert]")) {
    button.addEventListener("mousedown", (event) => event.preventDefault());  // keep the selection
    button.addEventListener("click", () => {
      if (button.dataset.format) { format(button.dataset.format); return; }
      const editor = current || $("[data-chips]")?.editor;
      if (!editor) return;
      editor.el.focus();
      editor.insert(button.dataset.insert);
    });
  }

  attach();
  window.lettergen.editors = { attach, parse, serialize, setLabels: (given) => { labels = given; } };
})();
