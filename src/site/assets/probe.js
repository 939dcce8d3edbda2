// breakwater: "Probe port N on my connection" answered on the port's own page, over TCP or UDP
// (one button each, as the port's entry says). The page works without this file: the control
// then leads to the confirm page (/port/N/probe), which states the address and starts the
// probe with a CSRF-protected form. /port/N itself is the same for every visitor, so
// everything about this visitor comes from the API, after a click.
(function () {
  'use strict';

  var control = document.getElementById('probe');
  if (!control || control.tagName !== 'FORM' || !window.fetch) return;
  var match = /^\/port\/([0-9]{1,5})\/probe$/.exec(control.getAttribute('action') || '');
  if (!match) return;
  var port = Number(match[1]);
  var bar = control.closest('.portbar') || control;
  var trigger = control.querySelector('button');  // the button that opened the box
  var transport = 'tcp';                          // what the box probes: 'tcp' or 'udp'
  var protocol = '';                              // a UDP probe's protocol ("DNS"), if known
  var waitMs = 45000;  // the server gives up after 30 s and says so; this is for a lost network
  var box = null;
  var parts = {};
  var address = null;  // as GET /api/v1/address stated it
  var busy = false;    // a request is out: the buttons do not send another

  // What each state means, and what to do about it when the page has no advice of its own.
  var TCP_STATES = {
    open: {
      word: 'Open',
      meaning: ' is open: something on your side accepts connections here from the internet. ' +
        'Anyone can reach it the same way, and automated scanners try every address many ' +
        'times a day.',
      advice: 'If you did not mean to offer this to the internet, turn the service off or ' +
        'remove the port forwarding for it in your router.',
    },
    closed: {
      word: 'Closed',
      meaning: ' is closed: your connection refused the probe, so nothing accepts ' +
        'connections here. That is not a way in, but the refusal tells a scanner that a ' +
        'machine is there; a stealth port sends nothing back at all.',
      advice: 'To make it stealth, set your router or firewall to drop unsolicited packets ' +
        'instead of refusing them.',
    },
    stealth: {
      word: 'Stealth',
      meaning: ' is stealth: nothing came back at all, so to a scanner it looks as if no ' +
        'machine were there. This is the best result for a port you do not mean to offer.',
      advice: '',
    },
  };

  // On UDP there is no handshake: a service answers its own protocol, or nothing comes back.
  var UDP_STATES = {
    open: {
      word: 'Open',
      meaning: ' answered: a service on your side answers UDP requests here from the ' +
        'internet, and anyone can send it requests the same way.',
      advice: 'If you did not mean to offer this to the internet, turn the service off or ' +
        'remove the port forwarding for it in your router.',
    },
    closed: {
      word: 'Closed',
      meaning: ' is closed: your connection answered with ICMP port unreachable, so nothing ' +
        'listens here. The answer shows that a machine is there; a stealth port sends nothing.',
      advice: 'To make it stealth, set your router or firewall to drop unsolicited packets ' +
        'instead of refusing them.',
    },
    filtered: {
      word: 'Filtered',
      meaning: ' is filtered: a firewall or router refused the probe with an ICMP error, ' +
        'which shows that something is there.',
      advice: 'To make it stealth, set the firewall to drop unsolicited packets instead of ' +
        'refusing them.',
    },
    stealth: {
      word: 'No answer',
      meaning: ' sent nothing back: stealth, or a service that stays silent. Many UDP ' +
        'services answer only a request they expect, so silence proves neither that the ' +
        'port is closed nor that it is open.',
      advice: '',
    },
  };

  function states() { return transport === 'udp' ? UDP_STATES : TCP_STATES; }
  function confirmUrl() {
    return '/port/' + port + '/probe' + (transport === 'udp' ? '?transport=udp' : '');
  }

  // An element with text, never markup: everything shown may come from the server.
  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function button(text, id, onClick, secondary) {
    var b = el('button', secondary ? 'secondary' : '', text);
    b.type = 'button';
    b.id = id;
    b.addEventListener('click', onClick);
    return b;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // "Port 445 (microsoft-ds)", or "Port 443, HTTPS (HTTP over TLS)," when the page's name for
  // the port has parentheses of its own; it starts a sentence ending in "is open" and so on.
  // A UDP probe says "UDP port 53 (DNS)", by the protocol it asked in.
  function portLabel() {
    if (transport === 'udp') {
      return 'UDP port ' + port + (protocol ? ' (' + protocol + ')' : '');
    }
    var name = document.querySelector('h1 .name');
    var text = name ? name.textContent.trim() : '';
    if (!text) return 'Port ' + port;
    return text.indexOf('(') >= 0 ? 'Port ' + port + ', ' + text + ','
      : 'Port ' + port + ' (' + text + ')';
  }

  function what() { return (transport === 'udp' ? 'UDP port ' : 'port ') + port; }

  function makeBox() {
    box = el('section', 'probe-box');
    box.id = 'probe-box';
    box.setAttribute('aria-labelledby', 'probe-box-title');
    var title = el('h2', '', '');
    title.id = 'probe-box-title';
    title.tabIndex = -1;
    parts.title = title;
    parts.plan = el('div', 'probe-plan');
    parts.plan.id = 'probe-plan';
    // Announced as it changes: "Probing…", then the verdict or what went wrong.
    parts.status = el('div', 'probe-status');
    parts.status.id = 'probe-status';
    parts.status.setAttribute('role', 'status');
    parts.status.setAttribute('aria-live', 'polite');
    parts.status.tabIndex = -1;
    parts.actions = el('p', 'probe-actions');
    box.appendChild(title);
    box.appendChild(parts.plan);
    box.appendChild(parts.status);
    box.appendChild(parts.actions);
    box.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') close();
    });
    bar.parentNode.insertBefore(box, bar.nextSibling);
    trigger.setAttribute('aria-controls', 'probe-box');
  }

  function setActions(list) {
    clear(parts.actions);
    list.forEach(function (b) { parts.actions.appendChild(b); });
  }

  function close() {
    if (!box) return;
    box.hidden = true;
    trigger.setAttribute('aria-expanded', 'false');
    trigger.focus();
  }

  function open(button) {
    if (!box) makeBox();
    if (!busy && button) {
      if (trigger !== button) trigger.setAttribute('aria-expanded', 'false');
      trigger = button;
      transport = button.getAttribute('data-transport') === 'udp' ? 'udp' : 'tcp';
      protocol = button.getAttribute('data-protocol') || '';
      trigger.setAttribute('aria-controls', 'probe-box');
    }
    parts.title.textContent = 'Probe ' + what() + ' on your connection';
    box.hidden = false;
    trigger.setAttribute('aria-expanded', 'true');
    if (busy) {
      parts.status.focus();
      return;
    }
    clear(parts.status);
    if (address === null) {
      loadAddress();
    } else {
      showPlan();
    }
  }

  function failure(status, code, message, retryAfter) {
    return { status: status, code: code, message: message, retryAfter: retryAfter || 0 };
  }

  // Network failures, timeouts and answers that are not JSON all end here as a failure():
  // the box never stays blank.
  function getJson(url) {
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort ? window.setTimeout(function () { abort.abort(); }, waitMs) : 0;
    return fetch(url, {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'same-origin',
      signal: abort ? abort.signal : undefined,
    }).then(function (res) {
      return res.text().then(function (text) {
        var body = null;
        try { body = JSON.parse(text); } catch (e) { body = null; }
        if (res.ok && body) return body;
        var err = body && body.error ? body.error : {};
        throw failure(res.status, err.code || '',
          err.message || 'The server answered with status ' + res.status + '.',
          Number(res.headers.get('Retry-After')));
      });
    }).catch(function (e) {
      if (e && typeof e.status === 'number' && typeof e.message === 'string') throw e;
      throw failure(0, 'network',
        'No answer from this server: the network failed or the answer took too long.');
    }).finally(function () {
      if (timer) window.clearTimeout(timer);
    });
  }

  function loadAddress() {
    busy = true;
    clear(parts.status);
    parts.status.className = 'probe-status';
    clear(parts.plan);
    parts.plan.appendChild(el('p', '', 'Finding the address your connection comes from\u2026'));
    setActions([button('Cancel', 'probe-cancel', close, true)]);
    parts.title.focus();
    getJson('/api/v1/address').then(function (body) {
      busy = false;
      if (typeof body.address !== 'string' || body.address === '') {
        throw failure(200, '', 'The server did not say which address it would probe.');
      }
      address = body.address;
      showPlan();
    }).catch(function (err) {
      busy = false;
      clear(parts.plan);
      showError(err, loadAddress);
    });
  }

  // The confirmation step: what will be sent, and to whom, before anything is.
  function showPlan() {
    clear(parts.plan);
    var p = el('p', 'target');
    p.id = 'probe-plan-text';
    p.appendChild(document.createTextNode(transport === 'udp'
      ? 'We will send one small UDP request' + (protocol ? ' in ' + protocol : '') +
        ' (the question the service that usually listens there answers) to UDP port ' + port +
        ' of '
      : 'We will send one TCP SYN (a connection request) to port ' + port + ' of '));
    var who = el('strong', '', address);
    who.id = 'probe-address';
    p.appendChild(who);
    p.appendChild(document.createTextNode(transport === 'udp'
      ? ', the address your connection to this server comes from, and repeat it only if ' +
        'nothing answers. An answer is read and shown to you; nothing is sent after it. No ' +
        'other address can be probed from here.'
      : ', the address your connection to this server comes from, and repeat it only if ' +
        'nothing answers. If the port accepts, it is sent a reset at once: no data is sent and ' +
        'nothing logs in. No other address can be probed from here.'));
    parts.plan.appendChild(p);
    var now = button('Probe now', 'probe-now', probe);
    now.setAttribute('aria-describedby', 'probe-plan-text');
    setActions([now, button('Cancel', 'probe-cancel', close, true)]);
    now.focus();
  }

  function probe() {
    if (busy) return;
    busy = true;
    clear(parts.status);
    parts.status.className = 'probe-status';
    parts.status.appendChild(el('p', 'probing',
      'Probing ' + what() + ' of ' + address + '\u2026'));
    var meter = el('progress');
    meter.setAttribute('aria-hidden', 'true');
    parts.status.appendChild(meter);
    setActions([]);
    parts.status.focus();
    // A GET without a CSRF token, on purpose: /api/v1/check only ever probes the address the
    // request comes from, so a forged one costs the visitor a probe of their own connection
    // and tells the forger nothing (docs/api.md).
    var url = '/api/v1/check/' + port + (transport === 'udp' ? '?transport=udp' : '');
    getJson(url).then(function (v) {
      busy = false;
      if (!states()[v.state]) {
        throw failure(200, '', 'The server answered without a verdict for the port.');
      }
      showVerdict(v);
    }).catch(function (err) {
      busy = false;
      showError(err, probe);
    });
  }

  // "admin prohibited (from 198.18.0.254)": the ICMP message and, when a router sent it, who.
  function icmpText(v) {
    if (!v.icmp) return '';
    var name = typeof v.icmp.name === 'string' ? v.icmp.name.replace(/-/g, ' ') : '';
    if (typeof v.icmp.from === 'string') name += (name ? ' ' : '') + '(from ' + v.icmp.from + ')';
    return name;
  }

  // "SYN-ACK", "reset (RST)", "ICMP unreachable: admin prohibited", "no answer".
  function reasonText(v) {
    if (transport === 'udp') {
      switch (v.reason) {
        case 'udp-answer':
          return 'an answer in ' + String(v.protocol || 'UDP') +
            (v.summary ? ': ' + String(v.summary) : '');
        case 'icmp-unreachable': {
          var icmp = icmpText(v);
          return 'ICMP unreachable' + (icmp ? ' (' + icmp + ')' : '') +
            (v.state === 'closed' ? ': nothing listens on the port'
              : ': a router or firewall refused the probe');
        }
        case 'no-response': {
          var n = Number(v.tries) || 0;
          return 'no answer' + (n > 1 ? ' to ' + n + ' tries' : '');
        }
      }
      return String(v.reason || 'not given');
    }
    switch (v.reason) {
      case 'syn-ack': return 'SYN-ACK: the port accepted the connection request';
      case 'ack': return 'ACK: the port still holds an earlier connection request of ours, ' +
        'whose SYN-ACK was lost on the way';
      case 'rst': return 'reset (RST): the connection request was refused';
      case 'icmp-unreachable': {
        var name = v.icmp && typeof v.icmp.name === 'string' ? v.icmp.name.replace(/-/g, ' ') : '';
        return 'ICMP unreachable' + (name ? ' (' + name + ')' : '') +
          ': a router or firewall refused the connection request';
      }
      case 'no-response': {
        var tries = Number(v.tries) || 0;
        return 'no answer' + (tries > 1 ? ' to ' + tries + ' tries' : '');
      }
    }
    return String(v.reason || 'not given');
  }

  // "x41", "x1.6": as the scan pages say it (site/udp_words).
  function amplificationText(a) {
    a = Number(a) || 0;
    if (a >= 9.95) return 'x' + Math.round(a);
    return 'x' + a.toFixed(1).replace(/\.0$/, '');
  }

  // What a UDP port answered: the finding in the server's words, the answer's summary, its
  // size, and its bytes (escaped by the server, shown as text). For a port that is silent by
  // design, what silence means there and the test that can tell.
  function udpDetails(v) {
    var box = el('div', 'udp-detail');
    box.id = 'probe-udp';
    var f = v.finding_words;
    if (v.state === 'open' && f && typeof f.sentence === 'string') {
      var p = el('p', 'udp-finding' + (f.reflector ? ' danger' : ''));
      p.id = 'probe-finding';
      p.appendChild(el('strong', '', f.sentence));
      p.appendChild(document.createTextNode(' ' + String(f.advice || '')));
      box.appendChild(p);
    }
    if (v.state === 'open') {
      box.appendChild(el('p', 'muted udp-bytes', 'Asked in ' + String(v.protocol || 'UDP') +
        ': ' + Number(v.bytes_out || 0) + ' bytes sent, ' + Number(v.bytes_in || 0) +
        ' bytes back in ' + Number(v.datagrams || 0) + ' datagram' +
        (Number(v.datagrams) === 1 ? '' : 's') + ': amplification ' +
        amplificationText(v.amplification) + '.'));
      if (typeof v.text === 'string' && v.text) {
        var pre = el('pre', 'udp-text', v.text);
        pre.id = 'probe-text';
        box.appendChild(pre);
      }
    }
    if (typeof v.silence === 'string' && v.silence) {
      var note = el('p', 'udp-silence', v.silence + ' ');
      note.id = 'probe-silence';
      var reach = el('a', '', 'Run the reachability check');
      reach.href = '/reach';
      note.appendChild(reach);
      box.appendChild(note);
    }
    return box.firstChild ? box : null;
  }

  function showVerdict(v) {
    var s = states()[v.state];
    clear(parts.status);
    parts.status.className = 'probe-status probe-verdict st-' + v.state;
    var head = el('p', 'probe-state');
    var swatch = el('span', 'c st-' + v.state);
    swatch.setAttribute('aria-hidden', 'true');
    head.appendChild(swatch);
    head.appendChild(document.createTextNode(
      (transport === 'udp' ? 'UDP port ' : 'Port ') + port + ' from the internet: '));
    var word = el('strong', 'state', s.word);
    word.id = 'probe-state';
    head.appendChild(word);
    parts.status.appendChild(head);
    var meaning = el('p', '', portLabel() + s.meaning);
    meaning.id = 'probe-explain';
    parts.status.appendChild(meaning);
    if (transport === 'udp') {
      var details = udpDetails(v);
      if (details) parts.status.appendChild(details);
    }
    var advice = transport === 'udp' && v.finding_words ? null : adviceFor(v.state, s);
    if (advice) parts.status.appendChild(advice);
    var rtt = typeof v.rtt_ms === 'number' ? v.rtt_ms.toFixed(1) + ' ms'
      : v.state === 'open' || v.state === 'closed'
        ? 'not known (the answer was to an earlier try)' : 'none, nothing came back';
    var facts = el('p', 'muted',
      'Reason: ' + reasonText(v) + '. Round trip: ' + rtt + '. Probed address: ' +
      (typeof v.address === 'string' ? v.address : address) + '.');
    facts.id = 'probe-reason';
    parts.status.appendChild(facts);
    setActions([button('Probe again', 'probe-again', probe),
      button('Close', 'probe-close', close, true)]);
  }

  // A pointer to the page's own advice when it has some; otherwise a general sentence.
  function adviceFor(state, s) {
    var section = document.getElementById('exposure');
    var p = el('p', 'advice');
    p.id = 'probe-advice';
    if (section) {
      p.appendChild(document.createTextNode(state === 'stealth'
        ? 'More about this port and its risks: see '
        : 'What this means for this port, and what to do: see '));
      var link = el('a', '', section.textContent.trim() || 'Exposure');
      link.href = '#exposure';
      p.appendChild(link);
      p.appendChild(document.createTextNode(' below.' + (state === 'closed' ? ' ' + s.advice : '')));
      return p;
    }
    if (!s.advice) return null;
    p.textContent = s.advice;
    return p;
  }

  function showError(err, retry) {
    clear(parts.status);
    parts.status.className = 'probe-status probe-error';
    var headlines = {
      0: 'The server could not be reached.',
      404: 'This server does not offer probes at the moment.',
      429: 'Please wait a little before the next probe.',
      503: 'The probe service could not answer now.',
    };
    var what = el('p', 'headline', headlines[err.status] || 'The probe could not be made.');
    parts.status.appendChild(what);
    var message = el('p', '', err.message);
    message.id = 'probe-error';
    parts.status.appendChild(message);
    if (err.retryAfter > 0) {
      parts.status.appendChild(el('p', '', 'You can try again in ' + err.retryAfter +
        (err.retryAfter === 1 ? ' second.' : ' seconds.')));
    }
    var fallback = el('p', 'muted');
    fallback.appendChild(document.createTextNode('Or use '));
    var link = el('a', '', 'the confirm page');
    link.href = confirmUrl();
    fallback.appendChild(link);
    fallback.appendChild(document.createTextNode(', which works without JavaScript.'));
    parts.status.appendChild(fallback);
    setActions([button('Try again', 'probe-retry', retry),
      button('Close', 'probe-close', close, true)]);
  }

  Array.prototype.forEach.call(control.querySelectorAll('button'), function (b) {
    b.setAttribute('aria-expanded', 'false');
  });
  control.addEventListener('submit', function (event) {
    event.preventDefault();
    // The button pressed says which transport (each has its own plan).
    open(event.submitter && control.contains(event.submitter) ? event.submitter : trigger);
  });
})();
