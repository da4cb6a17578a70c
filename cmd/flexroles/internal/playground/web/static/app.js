// The flexroles playground: sends the policy and the login to the local
// API as they are edited and shows the answers. Everything from the user or
// the server is put into the page as text (textContent), never as markup.
"use strict";

const $ = (id) => document.getElementById(id);

// el returns a new element with the given text.
function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

// post sends a JSON request to the API and returns its JSON answer.
async function post(path, body) {
  const res = await fetch(path, {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body),
  });
  const json = (res.headers.get("Content-Type") || "").startsWith("application/json");
  const answer = json ? await res.json() : null;
  if (!res.ok) {
    const e = (answer && answer.error) || {kind: "error", message: res.status + " " + res.statusText};
    throw new Error(e.kind + ": " + e.message);
  }
  if (!answer) throw new Error("error: the answer is not JSON");
  return answer;
}

// debounce calls fn once input has been quiet for ms milliseconds.
function debounce(fn, ms) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

// update asks for a refresh once the user pauses.
const update = debounce(refresh, 200);

// ---- The policy editor: line numbers, problems pinned to their lines.

const policy = $("policy");
const gutter = $("gutter");
let badLines = new Map(); // line → {kind, messages}: "bad" for errors, "warn" for warnings and failing cases

function drawGutter() {
  fitEditor();
  const count = policy.value.split("\n").length;
  gutter.replaceChildren();
  for (let i = 1; i <= count; i++) {
    const mark = badLines.get(i);
    const line = el("span", i, mark ? mark.kind : "");
    if (mark) line.title = mark.messages.join("\n");
    line.dataset.line = i;
    gutter.append(line, "\n");
  }
  // A horizontal scrollbar under the policy takes height the line numbers
  // must match, or they drift from their lines at the bottom.
  gutter.style.paddingBottom = "calc(0.4rem + " + (policy.offsetHeight - policy.clientHeight) + "px)";
  gutter.scrollTop = policy.scrollTop;
}

policy.addEventListener("scroll", () => { gutter.scrollTop = policy.scrollTop; });

// fitEditor makes the editor as tall as the policy, so that every line
// shows with nothing cut and no empty space under it; a line wider than
// the editor scrolls sideways. The height counts a horizontal scrollbar.
function fitEditor() {
  policy.style.height = "auto";
  policy.style.height = (policy.scrollHeight + policy.offsetHeight - policy.clientHeight) + "px";
}

window.addEventListener("resize", drawGutter);

// goToLine puts the cursor at the start of a line of the policy and
// scrolls the page to it.
function goToLine(n) {
  const lines = policy.value.split("\n");
  let at = 0;
  for (let i = 0; i < n - 1 && i < lines.length; i++) at += lines[i].length + 1;
  policy.focus({preventScroll: true});
  policy.setSelectionRange(at, at);
  const lineHeight = policy.scrollHeight / Math.max(lines.length, 1);
  window.scrollTo({top: Math.max(0, policy.getBoundingClientRect().top + window.scrollY + (n - 3) * lineHeight)});
}

// showProblems lists the policy's problems, warnings and failing cases,
// each with its position, and marks their lines; the status says whether
// the policy is valid and how many of its cases pass.
function showProblems(st, failures, tests, passed) {
  const list = $("problems");
  list.replaceChildren();
  badLines = new Map();
  const add = (kind, line, column, field, message) => {
    const li = el("li", null, kind);
    const where = line > 0 ? "line " + line + (column > 0 ? ":" + column : "") : "policy";
    li.append(el("span", where, "where"), " ");
    if (field) li.append(el("code", field), " ");
    li.append(el("span", message, "message"));
    if (line > 0) {
      li.dataset.line = line;
      li.addEventListener("click", () => goToLine(line));
      if (!badLines.has(line)) badLines.set(line, {kind: "warn", messages: []});
      const mark = badLines.get(line);
      mark.messages.push(message);
      if (kind === "error") mark.kind = "bad";
    }
    list.append(li);
  };
  for (const is of st.issues) add("error", is.line, is.column, is.field, is.message);
  for (const is of st.warnings) add("warning", is.line, is.column, is.field, "warning: " + is.message);
  for (const f of failures || []) add("failure", f.line, 0, "tests", "case " + JSON.stringify(f.name) + " fails: " + f.failure);
  const status = $("policy-status");
  if (st.empty) status.textContent = "none: Twilio's rules alone";
  else if (!st.valid) status.textContent = st.issues.length + (st.issues.length === 1 ? " problem" : " problems");
  else if (!tests) status.textContent = "valid · no test cases";
  else status.textContent = "valid · " + passed + "/" + tests + (tests === 1 ? " case passes" : " cases pass");
  status.className = "status " + (st.valid && !(failures && failures.length) ? "ok" : "bad");
  drawGutter();
}

// ---- The login.

const attributes = $("attributes").tBodies[0];

function addAttribute(name, value) {
  const tr = document.createElement("tr");
  const n = el("input", null, "attr-name");
  n.type = "text";
  n.value = name || "";
  n.setAttribute("aria-label", "attribute name");
  const v = el("input", null, "attr-value");
  v.type = "text";
  v.value = value || "";
  v.setAttribute("aria-label", "attribute value");
  const remove = el("button", "×", "remove");
  remove.type = "button";
  remove.title = "Remove this value";
  remove.addEventListener("click", () => { tr.remove(); update(); });
  for (const input of [n, v]) input.addEventListener("input", update);
  const cells = [n, v, remove].map((x) => { const td = document.createElement("td"); td.append(x); return td; });
  tr.append(...cells);
  attributes.append(tr);
  return tr;
}

$("add-attribute").addEventListener("click", () => { addAttribute("", "").querySelector("input").focus(); });

function source() {
  return document.querySelector('input[name="source"]:checked').value;
}

for (const radio of document.querySelectorAll('input[name="source"]')) {
  radio.addEventListener("change", () => {
    for (const s of ["sso", "console", "saml"]) $("login-" + s).hidden = s !== source();
    update();
  });
}
for (const box of document.querySelectorAll('input[name="console"]')) box.addEventListener("change", update);
$("requested").addEventListener("input", update);
$("saml").addEventListener("input", update);

function login() {
  switch (source()) {
  case "console":
    return {
      source: "console",
      console: [...document.querySelectorAll('input[name="console"]:checked')].map((b) => b.value),
      requested: $("requested").value,
    };
  case "saml":
    return {source: "saml", saml: $("saml").value};
  default:
    return {
      source: "sso",
      attributes: [...attributes.rows].map((tr) => ({
        name: tr.querySelector(".attr-name").value.trim(),
        value: tr.querySelector(".attr-value").value,
      })),
    };
  }
}

// ---- The outcome.

const yes = (b) => (b ? "yes" : "–");
const level = (s) => (s === "none" ? "–" : s.replace("_", " "));

function showOutcome(a) {
  const status = $("outcome-status");
  $("reasons").replaceChildren();
  $("trace").replaceChildren();
  $("attributes-read").replaceChildren();
  $("attributes-read-title").hidden = !(a.attributes && a.attributes.length);
  for (const row of a.attributes || []) {
    const li = el("li");
    li.append(el("code", row.name), " = ", el("span", JSON.stringify(row.value)));
    $("attributes-read").append(li);
  }
  if (!a.decision) {
    $("granted").hidden = true;
    $("refusal").hidden = true;
    status.textContent = "the policy does not load: fix the problems listed";
    status.className = "status bad";
    return;
  }
  const d = a.decision;
  $("granted").hidden = !d.granted;
  $("refusal").hidden = d.granted;
  if (!d.granted) {
    const e = d.error;
    status.textContent = "refused";
    status.className = "status bad";
    $("refusal-kind").textContent = e.kind + (e.code ? " (Flex error " + e.code + ")" : "");
    $("refusal-message").textContent = e.message;
  } else {
    status.textContent = "granted";
    status.className = "status ok";
    $("roles").textContent = JSON.stringify(d.roles);
    const body = $("grid").tBodies[0];
    body.replaceChildren();
    for (const row of a.grid) {
      const tr = document.createElement("tr");
      const own = row.role === "";
      if (own) tr.className = "own";
      const label = own ? (row.insights.enabled ? "this user" : "this user: Insights stays closed") : row.role;
      tr.append(el(own ? "th" : "td", label));
      const i = row.insights;
      for (const cell of [yes(i.play_calls), yes(i.export_calls), level(i.assess_calls), yes(i.questionnaires), level(i.dashboards)]) {
        tr.append(el("td", cell));
      }
      body.append(tr);
    }
    $("pages").textContent = a.pages.length ? a.pages.join(", ") : "none";
    for (const r of d.reasons) {
      const li = el("li", null, r.warning ? "warning" : "");
      li.append(el("code", r.rule), " ", el("span", r.message));
      $("reasons").append(li);
    }
  }
  for (const t of a.trace) {
    const li = el("li", null, t.matched ? "matched" : "");
    const what = t.deny ? "deny " + JSON.stringify(t.rule) : "rule " + JSON.stringify(t.rule) + " grants [" + t.grant.join(", ") + "]";
    li.append(el("code", what), " ", el("span", t.matched ? "matched" : "not matched: " + t.why));
    $("trace").append(li);
  }
  if (a.trace_more) $("trace").append(el("li", "… and " + a.trace_more + " more rules"));
  if (!a.trace.length) $("trace").append(el("li", a.policy.empty ? "no policy" : "no rule applies to this login"));
}

// ---- The matrix.

let usersText = "";

$("users-file").addEventListener("change", async (ev) => {
  const file = ev.target.files[0];
  usersText = file ? await file.text() : "";
  updateMatrix();
});

function showMatrix(m) {
  const table = $("matrix");
  const head = table.tHead;
  const body = table.tBodies[0];
  head.replaceChildren();
  body.replaceChildren();
  const status = $("users-status");
  status.textContent = m.users_error ? m.users_error.message :
    m.users_total ? m.users.length + " of " + m.users_total + " users shown" : "";
  status.className = "status " + (m.users_error ? "bad" : "");
  if (!m.policy.valid) {
    const tr = el("tr");
    tr.append(el("td", "the policy does not load: fix the problems listed"));
    body.append(tr);
    return;
  }
  const caps = ["Play", "Export", "Assess", "Questionnaires", "Dashboards"];
  const hr = document.createElement("tr");
  hr.append(el("th", "rule or user"));
  for (const r of m.roles) hr.append(el("th", r, "role"));
  for (const c of caps) hr.append(el("th", c, "cap"));
  hr.append(el("th", "from"));
  head.append(hr);
  const row = (label, kind, roles, insights, from) => {
    const tr = el("tr", null, kind);
    tr.append(el("th", label));
    for (const r of m.roles) tr.append(el("td", roles.includes(r) ? "✓" : "", "role"));
    const i = insights;
    const cells = i ? [yes(i.play_calls), yes(i.export_calls), level(i.assess_calls), yes(i.questionnaires), level(i.dashboards)] : caps.map(() => "");
    for (const c of cells) tr.append(el("td", c, "cap"));
    tr.append(el("td", from));
    body.append(tr);
  };
  for (const r of m.rules) {
    if (r.deny) row("deny " + r.rule, "deny", [], null, "line " + r.line + ": refuses every login it matches");
    else row("rule " + r.rule, "rule", r.yields, r.insights, "line " + r.line + (r.default ? "; adds the default Insights role " + r.default : ""));
  }
  for (const u of m.users) {
    if (u.refused) row(u.email, "user refused", [], null, "refused by " + u.refused.by);
    else row(u.email, "user", u.roles, u.insights, u.rules.length ? u.rules.join(", ") : "the roles attribute");
  }
}

let matrixGeneration = 0;

async function updateMatrix() {
  if ($("panel-matrix").hidden) return;
  const mine = ++matrixGeneration;
  try {
    const m = await post("/api/matrix", {policy: policy.value, users: usersText});
    if (mine !== matrixGeneration) return; // a newer request is on its way
    showMatrix(m);
  } catch (err) {
    if (mine !== matrixGeneration) return;
    $("matrix").tBodies[0].replaceChildren();
    $("users-status").textContent = err.message;
    $("users-status").className = "status bad";
  }
  document.body.dataset.matrix = String(Number(document.body.dataset.matrix || 0) + 1);
}

for (const tab of document.querySelectorAll('[role="tab"]')) {
  tab.addEventListener("click", () => {
    for (const t of document.querySelectorAll('[role="tab"]')) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      $(t.getAttribute("aria-controls")).hidden = !on;
    }
    document.body.classList.toggle("matrix", tab.id === "tab-matrix");
    updateMatrix();
  });
}

// ---- Updating as the user types.

let generation = 0;

async function refresh() {
  const mine = ++generation;
  try {
    const [v, r] = await Promise.all([
      post("/api/validate", {policy: policy.value}),
      post("/api/resolve", {policy: policy.value, login: login()}),
    ]);
    if (mine !== generation) return; // a newer edit is on its way
    showProblems(v.policy, v.failures, v.tests, v.passed);
    showOutcome(r);
  } catch (err) {
    if (mine !== generation) return;
    // Nothing shown may outlive the request that failed.
    $("granted").hidden = true;
    $("refusal").hidden = true;
    $("policy-status").textContent = "not checked";
    $("policy-status").className = "status bad";
    $("outcome-status").textContent = err.message;
    $("outcome-status").className = "status bad";
  }
  updateMatrix();
  document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
}

policy.addEventListener("input", () => { drawGutter(); update(); });

addAttribute("email", "ana.diaz@example.com");
addAttribute("full_name", "Ana Diaz");
addAttribute("groups", "CC-Leads");
addAttribute("department", "Quality");
drawGutter();
refresh();
