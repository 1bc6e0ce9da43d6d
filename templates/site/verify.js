// The verify page: answers a printed code from the site's own files, no server.
// The code's last character is a copying check (ISO/IEC 7064 MOD 37,36), as dangwu prints it.
(function () {
  "use strict";
  var ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  var SHAPE = /^([0-9A-F]{8})([PI])([A-Z]{2})([0-9]+)([0-9]{6})([A-Z0-9]{4})([A-Z0-9])$/;

  function copyCheck(text) {
    var product = 36;
    for (var i = 0; i < text.length; i++) {
      var total = (product + ALNUM.indexOf(text.charAt(i))) % 36 || 36;
      product = (total * 2) % 37;
    }
    return ALNUM.charAt((37 - product) % 36);
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function show(area, kind, title, lines) {
    area.textContent = "";
    var box = el("div", "", "answer " + kind);
    box.appendChild(el("h2", title));
    lines.forEach(function (line) { box.appendChild(typeof line === "string" ? el("p", line) : line); });
    area.appendChild(box);
    box.setAttribute("tabindex", "-1");
    box.focus();
  }

  function dayOf(yymmdd) {
    var y = 2000 + parseInt(yymmdd.slice(0, 2), 10), m = parseInt(yymmdd.slice(2, 4), 10), d = parseInt(yymmdd.slice(4), 10);
    var when = new Date(Date.UTC(y, m - 1, d));
    if (when.getUTCFullYear() !== y || when.getUTCMonth() !== m - 1 || when.getUTCDate() !== d) return null;
    return y + "-" + ("0" + m).slice(-2) + "-" + ("0" + d).slice(-2);
  }

  function zh(iso) {
    var p = iso.split("-");
    return parseInt(p[0], 10) + "年" + parseInt(p[1], 10) + "月" + parseInt(p[2], 10) + "日";
  }

  function answer(area, typed) {
    var data = area.dataset;
    var ask = "请把核验码报给本单位党务公开办公室核验" + (data.contact ? "：" + data.contact : "。");
    var key = typed.toUpperCase().replace(/[^0-9A-Z]/g, "");
    var parts = SHAPE.exec(key);
    if (!parts) {
      show(area, "unknown", "这不是一个完整的核验码", ["核验码形如 7f3a9c2e-PZZ1-261126-QX4TK，印在页面底部“核验码”之后。请完整输入，不要漏字。"]);
      return;
    }
    if (copyCheck(key.slice(0, -1)) !== key.slice(-1)) {
      show(area, "unknown", "核验码有误：很可能抄错了", ["请对照页面逐字核对后重新输入（例如 0 和 O、1 和 I、5 和 S 容易混淆）。如果确与页面上印的一致，说明这张页面不是本单位印发的。"]);
      return;
    }
    if (parts[2] === "I") {
      show(area, "stale", "这是党内公开页面的核验码", ["党内公开的内容不在对外网站上核验。" + ask]);
      return;
    }
    var day = dayOf(parts[5]);
    if (!day) {
      show(area, "unknown", "核验码有误：其中的日期不存在", ["请对照页面逐字核对后重新输入。"]);
      return;
    }
    if (day < data.first || day > data.last) {
      show(area, "stale", "本站不能核验这一天印发的页面", ["本站可核验" + data.firstZh + "至" + data.builtZh + "印发的页面，这张页面印于" + zh(day) + "。" + ask]);
      return;
    }
    load("codes/" + parts[5] + ".json", function (found) {
      load("current.json", function (today) {
        var hit = found.codes[key];
        if (!hit) {
          show(area, "unknown", "查无此页：本单位" + zh(day) + "没有印发过这张页面", ["这张页面可能是伪造或被改动过的。如有疑问，" + ask]);
          return;
        }
        var state = found.states[hit[0]];
        var current = today.shown[state.slot] === state.content;
        var what = state.kind === "board"
          ? "对外党务公开栏“" + state.label + "”第" + state.page + "张（共" + state.pages + "张）"
          : state.label.slice(0, 4) + "年第" + state.label.slice(-1) + "季度公报";
        var list = el("ul");
        state.records.forEach(function (r) {
          var item = el("li");
          if (r[2]) {
            var link = el("a", r[1]);
            link.href = data.root + r[2];
            item.appendChild(link);
          } else {
            item.textContent = r[1];
          }
          item.appendChild(document.createTextNode("（" + r[0] + "）"));
          list.appendChild(item);
        });
        var now = current
          ? "截至本站更新（" + data.builtZh + "），这张页面仍是现行内容。"
          : "这张页面已不是现行内容：此后公开栏已更新，请以本站最新公开内容为准。";
        var said = "这是本单位" + zh(day) + "印发的" + what + "（版本 " + hit[1] + "）";
        show(area, current ? "genuine" : "stale", "真实：这是本单位印发的页面", state.kind === "board"
          ? [said + "，当时公开了：", list, now]
          : [said + "，共收入" + state.pages + "条公开记录。", now]);
      });
    });
    function load(path, then) {
      var request = new XMLHttpRequest();
      request.open("GET", path);
      request.onload = function () {
        if (request.status !== 200 && request.status !== 0) { fail(); return; }
        var parsed;
        try { parsed = JSON.parse(request.responseText); } catch (e) { fail(); return; }
        then(parsed);
      };
      request.onerror = fail;
      request.send();
    }
    function fail() {
      show(area, "unknown", "暂时无法核验", ["未能读取本站的核验数据。请通过本单位网站打开本页，或" + ask]);
    }
  }

  window.addEventListener("DOMContentLoaded", function () {
    var area = document.getElementById("answer");
    var form = document.getElementById("ask");
    var input = document.getElementById("code");
    if (!area || !form || !input) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var typed = input.value.trim();
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "?c=" + encodeURIComponent(typed));
      }
      answer(area, typed);
    });
    var given = new URLSearchParams(window.location.search).get("c");
    if (given) {
      input.value = given;
      answer(area, given);
    }
  });
})();
