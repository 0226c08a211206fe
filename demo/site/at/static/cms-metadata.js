// The CMS's client-side tagging plugin: it adds the SDG tags after the page has loaded. The Commission's
// harvester reads the HTML the server sends, so on this page it finds no tags at all.
(function () {
  var tags = [
    ["sdg-tag", "sdg"],
    ["DC.ISO3166", "AT"],
    ["DC.Service", "information"],
    ["policy-code", "F1"],
    ["DC.Policy", "getting medical treatment in another Member State"]
  ];
  for (var i = 0; i < tags.length; i++) {
    var element = document.createElement("meta");
    element.name = tags[i][0];
    element.content = tags[i][1];
    document.head.appendChild(element);
  }
})();
