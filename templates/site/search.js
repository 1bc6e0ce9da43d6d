// The search: Pagefind's own interface over the site's index, made in parts (a
// category's records each, or an office's on the portal) merged in the browser.
window.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("search");
  if (!box) return;
  if (typeof PagefindUI === "undefined") {
    box.textContent = "本站的搜索索引尚未建立。";
    return;
  }
  var bundles = (box.dataset.bundles || "").split(" ").filter(Boolean).map(function (b) {
    return new URL(b, document.baseURI).pathname;
  });
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: bundles[0],
    mergeIndex: bundles.slice(1).map(function (b) { return { bundlePath: b }; }),
    showSubResults: true,
    showImages: false,
    resetStyles: false
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) ui.triggerSearch(q);
});
