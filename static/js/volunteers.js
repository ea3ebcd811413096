// Volunteers pages, progressive enhancement only (every form works without this file).
// Registration: the guardian fields matter only under 18, read from the ID number's birth date.
(function () {
  var idInput = document.querySelector("[data-id-number]");
  var guardian = document.querySelector("[data-guardian]");
  if (!idInput || !guardian) {
    return;
  }

  function ageFromIdNumber(value) {
    var id = (value || "").trim();
    if (!/^\d{17}[\dXx]$/.test(id)) {
      return null;
    }
    var year = Number(id.slice(6, 10));
    var month = Number(id.slice(10, 12));
    var day = Number(id.slice(12, 14));
    var birth = new Date(year, month - 1, day);
    if (birth.getMonth() !== month - 1 || birth.getDate() !== day) {
      return null;
    }
    var today = new Date();
    var age = today.getFullYear() - year;
    if (today.getMonth() < month - 1 || (today.getMonth() === month - 1 && today.getDate() < day)) {
      age -= 1;
    }
    return age;
  }

  function update() {
    var age = ageFromIdNumber(idInput.value);
    var hasErrors = guardian.querySelector(".error") !== null;
    // Shown for a minor, and whenever the server named a problem in it.
    guardian.hidden = !hasErrors && (age === null || age >= 18);
  }

  idInput.addEventListener("input", update);
  update();
})();
