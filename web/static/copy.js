// The copy button of the corrected tag block. Without JavaScript the button stays hidden and the text area
// can be selected and copied by hand; this file only adds the shortcut. Served from 'self' (no inline script).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy-target]")) {
    const target = document.getElementById(button.dataset.copyTarget);
    const status = button.parentElement.querySelector(".copy-status");
    if (!target) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      let copied = false;
      try {
        await navigator.clipboard.writeText(target.value);
        copied = true;
      } catch (error) {
        target.focus();
        target.select();
        copied = document.execCommand && document.execCommand("copy");
      }
      if (status) {
        status.textContent = copied ? "Copied." : "Select the text and press Ctrl+C (or Cmd+C) to copy it.";
      }
    });
  }
});
