/* Tremplin : bouton de discussion à intégrer sur le site d'un collège.
   <script src="{{ origin }}/widget.js" async></script> */
(function () {
  "use strict";
  var origin = {{ origin | tojson }};
  if (document.getElementById("tremplin-widget")) { return; }
  var box = document.createElement("div");
  box.id = "tremplin-widget";
  box.style.position = "fixed";
  box.style.right = "12px";
  box.style.bottom = "12px";
  box.style.zIndex = "2147483000";
  box.style.textAlign = "right";
  var open = document.createElement("button");
  open.type = "button";
  open.textContent = "💬 Trouver mon stage (Tremplin)";
  open.setAttribute("aria-expanded", "false");
  var frame = null;
  open.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = origin + "/widget";
      frame.title = "Discussion Tremplin";
      frame.width = "360";
      frame.height = "520";
      frame.setAttribute("referrerpolicy", "no-referrer");
      box.appendChild(frame);
    } else {
      frame.hidden = !frame.hidden;
    }
    open.setAttribute("aria-expanded", String(!frame.hidden));
  });
  box.appendChild(open);
  (document.body || document.documentElement).appendChild(box);
})();
