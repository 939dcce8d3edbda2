// breakwater: the chosen test over IPv4 and IPv6 side by side, on the confirm page. This
// server is also reachable under an IPv4-only and an IPv6-only name (its sibling origins); the
// scan API there answers this site's pages (CORS), and each probes the address the browser
// reaches it from. Without this file the page's form tests the family this connection uses.
(function () {
  'use strict';

  var root = document.getElementById('dual');
  if (!root || !window.fetch || !window.EventSource) return;
  var FAMILIES = [
    { key: 'ipv4', name: 'IPv4', origin: root.getAttribute('data-ipv4') },
    { key: 'ipv6', name: 'IPv6', origin: root.getAttribute('data-ipv6') },
  ];
  var MAX_CELLS = 2048;  // beyond this the counts say it all
  var WAIT_MS = 10000;   // a family that has not answered by then does not work from here
  var startButton = document.getElementById('dual-start');
  var started = false;

  function byId(id) { return document.getElementById(id); }

  function say(id, text) {
    var e = byId(id);
    if (e) e.textContent = text;
  }

  // fetch() with a time limit: a family without a route may otherwise hang for minutes.
  function fetchWithin(url, init) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, WAIT_MS) : 0;
    var options = init || {};
    if (controller) options.signal = controller.signal;
    options.credentials = 'omit';
    return fetch(url, options).finally(function () { window.clearTimeout(timer); });
  }

  // The server's sentence from an error answer, or one of our own.
  function errorText(res) {
    return res.json().then(function (body) {
      return body && body.error && body.error.message ? body.error.message
        : 'the server answered ' + res.status;
    }, function () { return 'the server answered ' + res.status; });
  }

  function unreachable(f) {
    f.outcome = { unreachable: true };
    say('target-' + f.key, 'none');
    say('state-' + f.key, 'No ' + f.name + ' connectivity from your browser: it could not ' +
      'reach this server over ' + f.name + '.');
  }

  // Before the start: each family's address as its origin sees it.
  function showAddress(f) {
    return fetchWithin(f.origin + '/api/v1/address').then(function (res) {
      if (!res.ok) return errorText(res).then(function (t) { say('state-' + f.key, t); });
      return res.json().then(function (body) {
        f.address = body.address;
        say('target-' + f.key, body.address);
      });
    }, function () { unreachable(f); });
  }

  function order() {
    var form = document.querySelector('form.start');
    function checked(name) {
      var box = form && form.querySelector('input[name="' + name + '"]');
      return box ? box.checked : false;
    }
    var o = { kind: root.getAttribute('data-kind') };
    var ports = root.getAttribute('data-ports');
    if (ports) o.ports = ports;
    if (form && form.querySelector('input[name="ping"]')) o.ping = checked('ping');
    if (form && form.querySelector('input[name="upnp"]')) o.upnp = checked('upnp');
    return o;
  }

  function cell(f, v) {
    f.cells = (f.cells || 0) + 1;
    if (f.cells > MAX_CELLS) return;
    var a = document.createElement('a');
    a.className = 'c st-' + v.state;
    a.id = f.key + '-p' + v.port;
    a.href = '/port/' + v.port;
    a.title = 'Port ' + v.port + ': ' + v.state;
    a.setAttribute('data-port', v.port);
    // In port order, as verdicts arrive in the order they are decided.
    var grid = byId('grid-' + f.key);
    var next = null;
    Array.prototype.some.call(grid.children, function (c) {
      if (Number(c.getAttribute('data-port')) > v.port) { next = c; return true; }
      return false;
    });
    grid.insertBefore(a, next);
  }

  function counts(f) {
    var n = { open: 0, closed: 0, stealth: 0 };
    Object.keys(f.seen).forEach(function (p) { n[f.seen[p]]++; });
    say('counts-' + f.key, 'Open ' + n.open + ' \u00b7 Closed ' + n.closed + ' \u00b7 Stealth ' +
      n.stealth);
  }

  function openPorts(f) {
    return Object.keys(f.seen).filter(function (p) { return f.seen[p] === 'open'; })
      .map(Number).sort(function (a, b) { return a - b; }).join(',');
  }

  // Follows one family's scan to its end; resolves when it is over, whatever happened.
  function follow(f, id) {
    return new Promise(function (resolve) {
      f.seen = {};
      var source = new EventSource(f.origin + '/api/v1/scans/' + encodeURIComponent(id) +
        '/events');
      source.addEventListener('verdict', function (event) {
        var v;
        try { v = JSON.parse(event.data); } catch (e) { return; }
        // The comparison is of TCP ports; UDP verdicts (if any) are not mixed into it.
        if (typeof v.port !== 'number' || v.transport === 'udp' || f.seen[v.port]) return;
        f.seen[v.port] = v.state;
        cell(f, v);
        counts(f);
      });
      source.addEventListener('done', function (event) {
        source.close();
        var d = {};
        try { d = JSON.parse(event.data); } catch (e) { /* the verdicts are what counts */ }
        if (d.error) {
          f.outcome = { error: d.error };
          say('state-' + f.key, 'The test could not finish: ' + d.error);
        } else {
          f.outcome = { address: f.address, open: openPorts(f) };
          say('state-' + f.key, d.phase === 'cancelled' ? 'Cancelled.' : 'Finished.');
        }
        resolve();
      });
      source.onerror = function () {
        if (source.readyState !== EventSource.CLOSED) return;  // the browser retries
        f.outcome = { unreachable: true };
        say('state-' + f.key, 'The connection to this server over ' + f.name + ' was lost.');
        resolve();
      };
    });
  }

  function run(f) {
    if (f.outcome && f.outcome.unreachable) return Promise.resolve();
    say('state-' + f.key, 'Running\u2026');
    return fetchWithin(f.origin + '/api/v1/scans', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(order()),
    }).then(function (res) {
      if (!res.ok) {
        return errorText(res).then(function (t) {
          f.outcome = { error: t };
          say('state-' + f.key, 'The test could not start: ' + t);
        });
      }
      return res.json().then(function (scan) {
        f.address = scan.target;
        say('target-' + f.key, scan.target);
        return follow(f, scan.id);
      });
    }, function () { unreachable(f); });
  }

  // The finding in words comes from the server, which says it the same way everywhere.
  function compare() {
    var body = {};
    FAMILIES.forEach(function (f) { body[f.key] = f.outcome || { unreachable: true }; });
    return fetch('/api/v1/compare', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }).then(function (res) { return res.json(); }).then(function (finding) {
      if (finding.error) {
        say('dual-headline', finding.error.message);
        return;
      }
      var box = byId('dual-finding');
      box.className = 'finding finding-' + finding.kind;
      say('dual-headline', finding.headline);
      var list = byId('dual-details');
      (finding.details || []).forEach(function (line) {
        var li = document.createElement('li');
        li.textContent = line;
        list.appendChild(li);
      });
      root.setAttribute('data-phase', 'done');
    }, function () {
      say('dual-headline', 'The comparison could not be fetched: reload the page to try again.');
    });
  }

  root.hidden = false;
  Promise.all(FAMILIES.map(showAddress));
  startButton.addEventListener('click', function () {
    if (started) return;
    started = true;
    startButton.disabled = true;
    root.setAttribute('data-phase', 'running');
    Promise.all(FAMILIES.map(run)).then(compare);
  });
})();
