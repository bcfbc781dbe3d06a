// Passkeys (WebAuthn) for the login, step-up and account pages. Every other
// form works without JavaScript; this file only adds the passkey buttons.
(function () {
  "use strict";
  if (!window.PublicKeyCredential) return;
  var box = document.querySelector("[data-passkey]");
  if (!box) return;
  var kind = box.getAttribute("data-passkey");
  var csrf = box.getAttribute("data-csrf");
  var authRequest = box.getAttribute("data-authrequest") || "";
  var button = box.querySelector("button");
  var failure = box.querySelector(".passkey-error");
  box.hidden = false;

  function fromB64(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function toB64(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function post(path, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: body === undefined ? "{}" : JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.detail || j.title || r.statusText);
        return j;
      });
    });
  }
  function credentialJSON(c) {
    var r = c.response, out = {id: c.id, rawId: toB64(c.rawId), type: c.type, response: {clientDataJSON: toB64(r.clientDataJSON)}};
    if (r.attestationObject) out.response.attestationObject = toB64(r.attestationObject);
    if (r.authenticatorData) out.response.authenticatorData = toB64(r.authenticatorData);
    if (r.signature) out.response.signature = toB64(r.signature);
    if (r.userHandle) out.response.userHandle = toB64(r.userHandle);
    if (r.getTransports) out.response.transports = r.getTransports();
    out.clientExtensionResults = c.getClientExtensionResults ? c.getClientExtensionResults() : {};
    return out;
  }
  function run() {
    failure.hidden = true;
    var q = "?authRequestID=" + encodeURIComponent(authRequest);
    post("/passkey/" + kind + "/begin" + q).then(function (begin) {
      var pk = begin.options.publicKey;
      pk.challenge = fromB64(pk.challenge);
      if (pk.user) pk.user.id = fromB64(pk.user.id);
      (pk.excludeCredentials || []).forEach(function (c) { c.id = fromB64(c.id); });
      (pk.allowCredentials || []).forEach(function (c) { c.id = fromB64(c.id); });
      var p = kind === "register" ? navigator.credentials.create({publicKey: pk}) : navigator.credentials.get({publicKey: pk});
      return p.then(function (cred) {
        return post("/passkey/" + kind + "/finish" + q + "&ceremony=" + encodeURIComponent(begin.ceremony), credentialJSON(cred));
      });
    }).then(function (done) {
      window.location.assign(done.next || "/account");
    }).catch(function (e) {
      failure.textContent = failure.textContent.split(":")[0] + ": " + e.message;
      failure.hidden = false;
    });
  }
  button.addEventListener("click", run);
})();
