// The login page: log in, or register (when the server allows it), then go back where the visitor was.
import { initAccountMenu, safeNext, signIn } from "./auth.js";

const form = document.getElementById("auth-form");
const title = document.getElementById("auth-title");
const submit = document.getElementById("auth-submit");
const error = document.getElementById("auth-error");
const password = document.getElementById("auth-password");
const switchButton = document.getElementById("auth-switch");
const switchText = document.getElementById("auth-switch-text");
const params = new URLSearchParams(window.location.search);

function setMode(mode) {
  form.dataset.mode = mode;
  const register = mode === "register";
  title.textContent = register ? "Create your account" : "Log in";
  document.title = `Verity · ${register ? "register" : "log in"}`;
  submit.textContent = register ? "Register" : "Log in";
  password.autocomplete = register ? "new-password" : "current-password";
  password.placeholder = register ? "at least 8 characters" : "";
  if (switchButton) {
    switchButton.textContent = register ? "Log in" : "Register";
    switchText.textContent = register ? "Already registered?" : "No account yet?";
  }
  error.hidden = true;
}

switchButton?.addEventListener("click", () => setMode(form.dataset.mode === "register" ? "login" : "register"));
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const email = form.email.value.trim();
  if (!email || !form.password.value) {
    error.textContent = "Enter your email and password.";
    error.hidden = false;
    return;
  }
  submit.disabled = true;
  error.hidden = true;
  try {
    await signIn(form.dataset.mode, email, form.password.value);
    window.location.assign(safeNext(params.get("next")));
  } catch (problem) {
    error.textContent = problem.message;
    error.hidden = false;
    submit.disabled = false;
    form.password.focus();
  }
});

initAccountMenu();
setMode(params.get("mode") === "register" && form.dataset.registration === "open" ? "register" : "login");
form.email.focus();
