/* Tremplin web chat: WebSocket first, JSON POST when WebSockets are blocked; without JavaScript
   the page still works with plain forms. Buttons carry server-issued tokens, never payloads. */
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var status = document.getElementById("status");
  var csrf = log.getAttribute("data-csrf");
  var ws = null, wsReady = false, pending = [];
  var suffix = log.getAttribute("data-widget") === "yes" ? "?w=1" : "";

  function linkify(p, text) {
    var re = /(https?:\/\/[^\s<>"]+)/g, last = 0, m;
    while ((m = re.exec(text)) !== null) {
      p.appendChild(document.createTextNode(text.slice(last, m.index)));
      var a = document.createElement("a");
      a.href = m[1]; a.textContent = m[1]; a.rel = "noopener noreferrer";
      p.appendChild(a);
      last = m.index + m[1].length;
    }
    p.appendChild(document.createTextNode(text.slice(last)));
  }

  function disableButtons(container) {
    var old = container.querySelectorAll("button[data-token]");
    for (var i = 0; i < old.length; i++) { old[i].disabled = true; }
  }

  function render(item) {
    var div = document.createElement("div");
    div.className = "msg " + item.who;
    var who = document.createElement("p");
    who.className = "who visually-hidden";
    who.textContent = (item.who === "user" ? "Toi" : "Tremplin") + " :";
    div.appendChild(who);
    if (item.text) {
      var p = document.createElement("p");
      p.className = "text";
      linkify(p, item.text);
      div.appendChild(p);
    }
    if (item.document) {
      var d = document.createElement("a");
      d.className = "button link";
      d.download = item.document.name;
      d.href = "data:text/csv;base64," + item.document.data;
      d.textContent = "Télécharger " + item.document.name;
      div.appendChild(d);
    }
    if (item.buttons && item.buttons.length) {
      var group = document.createElement("div");
      group.className = "buttons";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Réponses proposées");
      item.buttons.forEach(function (b) {
        var el;
        if (b.url) {
          el = document.createElement("a");
          el.className = "button link"; el.href = b.url; el.rel = "noopener noreferrer";
        } else {
          el = document.createElement("button");
          el.type = "button";
          el.setAttribute("data-token", b.token);
          el.addEventListener("click", function () {
            disableButtons(log);
            send({button: b.token});
          });
        }
        el.textContent = b.title;
        group.appendChild(el);
      });
      div.appendChild(group);
    }
    log.appendChild(div);
    div.scrollIntoView({block: "end"});
  }

  function show(items) {
    status.textContent = "";
    items.forEach(render);
    if (items.some(function (i) { return i.who === "bot"; })) {
      status.textContent = "Nouvelle réponse de Tremplin.";
    }
  }

  function viaPost(data) {
    status.textContent = "Tremplin écrit…";
    fetch("/chat/messages" + suffix, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify(data)
    }).then(function (r) { return r.json(); })
      .then(function (j) { show(j.items || []); })
      .catch(function () { status.textContent = "Connexion perdue : réessaie dans un instant."; });
  }

  function send(data) {
    if (ws && wsReady) { ws.send(JSON.stringify(data)); }
    else if (ws && ws.readyState === 0) { pending.push(data); }
    else { viaPost(data); }
  }

  function connect() {
    if (!("WebSocket" in window)) { return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    try { ws = new WebSocket(scheme + location.host + "/chat/ws" + suffix); } catch (e) { ws = null; return; }
    ws.onopen = function () {
      wsReady = true;
      while (pending.length) { ws.send(JSON.stringify(pending.shift())); }
    };
    ws.onmessage = function (ev) {
      var msg = JSON.parse(ev.data);
      if (msg.type === "typing") { status.textContent = "Tremplin écrit…"; }
      if (msg.type === "items") { show(msg.items); }
    };
    ws.onclose = ws.onerror = function () {
      wsReady = false; ws = null;
      var queued = pending; pending = [];
      queued.forEach(viaPost);
    };
  }

  // Server-rendered buttons (from the transcript) go through the same channel.
  var old = log.querySelectorAll("form.buttons button[name=button]");
  for (var i = 0; i < old.length; i++) {
    (function (btn) {
      btn.setAttribute("data-token", btn.value);
      btn.addEventListener("click", function (ev) {
        ev.preventDefault();
        disableButtons(log);
        send({button: btn.value});
      });
    })(old[i]);
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send({text: text});
    input.focus();
  });

  connect();
  if (log.getAttribute("data-greet") === "yes") { send({text: "/start"}); }
})();
