// Lists the API's items; the API base URL comes from /config.js, rendered by the chart.
(function () {
  var config = window.__ACME_CONFIG__ || {};
  var status = document.getElementById("status");
  var list = document.getElementById("items");
  fetch((config.apiBaseUrl || "") + "/v1/items")
    .then(function (response) { return response.json(); })
    .then(function (body) {
      status.textContent = body.items.length + " items";
      body.items.forEach(function (item) {
        var entry = document.createElement("li");
        entry.textContent = item.name;
        list.appendChild(entry);
      });
    })
    .catch(function () { status.textContent = "The API is not reachable."; });
})();
