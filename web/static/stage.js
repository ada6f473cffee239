/* The stage's countdown: the pitch length, then the questions length, for the team on stage.
 * Progressive enhancement: without this file the page shows the order and the forms record pitches with the
 * duration typed in. With it, "Démarrer le pitch" starts the countdown, "Fin du pitch : questions" measures the real
 * pitch duration (written into the form) and starts the questions' countdown. The timer survives a reload. */
(function () {
  "use strict";

  var stage = document.querySelector("[data-stage]");
  if (!stage) { return; }
  var pitchLength = parseInt(stage.getAttribute("data-pitch"), 10) || 0;
  var questionsLength = parseInt(stage.getAttribute("data-questions"), 10) || 0;
  var clock = stage.querySelector("[data-countdown]");
  var phase = stage.querySelector("[data-phase]");
  var controls = stage.querySelector("[data-controls]");
  var startButton = stage.querySelector("[data-start]");
  var questionsButton = stage.querySelector("[data-questions]");
  var resetButton = stage.querySelector("[data-reset]");
  var duration = stage.querySelector("[data-duration]");
  var pitchForm = stage.querySelector("[data-pitch-form]");
  var key = "forum-stage:" + location.pathname + ":" + (pitchForm ? pitchForm.getAttribute("action") : "");
  var state = load();
  var ticking = null;

  function load() {
    try { return JSON.parse(sessionStorage.getItem(key)) || {}; } catch (e) { return {}; }
  }

  function save() {
    try { sessionStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* private mode: no memory */ }
  }

  function format(seconds) {
    var sign = seconds < 0 ? "+" : "";
    var s = Math.abs(seconds);
    return sign + Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  function elapsed(since) {
    return Math.floor((Date.now() - since) / 1000);
  }

  function render() {
    var left;
    if (state.questionsAt) {
      left = questionsLength - elapsed(state.questionsAt);
      phase.textContent = "Questions du jury (pitch de " + format(state.pitchSeconds) + ")";
    } else if (state.pitchAt) {
      left = pitchLength - elapsed(state.pitchAt);
      phase.textContent = left >= 0 ? "Pitch en cours" : "Temps de pitch dépassé";
    } else {
      left = pitchLength;
      phase.textContent = "Prêt : pitch de " + format(pitchLength) + ", puis " + format(questionsLength) + " de questions";
    }
    clock.textContent = format(left);
    clock.classList.toggle("over", left < 0);
    startButton.hidden = Boolean(state.pitchAt);
    questionsButton.hidden = !state.pitchAt || Boolean(state.questionsAt);
  }

  function tick() {
    if (ticking === null) { ticking = setInterval(render, 250); }
    render();
  }

  startButton.addEventListener("click", function () {
    state = { pitchAt: Date.now() };
    save();
    tick();
    questionsButton.focus();
  });

  questionsButton.addEventListener("click", function () {
    state.pitchSeconds = Math.max(1, elapsed(state.pitchAt));
    state.questionsAt = Date.now();
    if (duration) { duration.value = state.pitchSeconds; }
    save();
    tick();
  });

  resetButton.addEventListener("click", function () {
    state = {};
    save();
    if (duration) { duration.value = pitchLength; }
    render();
    startButton.focus();
  });

  if (pitchForm) {
    pitchForm.addEventListener("submit", function () {
      if (state.pitchAt && !state.questionsAt && duration) { duration.value = Math.max(1, elapsed(state.pitchAt)); }
      if (state.pitchSeconds && duration) { duration.value = state.pitchSeconds; }
      try { sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    });
  }

  controls.hidden = false;
  if (state.pitchAt) { tick(); } else { render(); }
})();
