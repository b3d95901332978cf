// Loaded on every admin page right after htmx (UNFOLD["SCRIPTS"]), before htmx and the
// deferred Alpine.js start. The Content-Security-Policy allows no inline style, which
// blocks style attributes and <style> elements, whether parsed or set from a script;
// styles set through the CSSOM (element.style) are not inline and stay allowed.

// htmx would add its request-indicator rules in an inline <style>: the same rules are in
// static/core/admin.css.
htmx.config.includeIndicatorStyles = false;

// Alpine applies a string x-bind:style (unfold's admin/actions.html sizes the action bar
// with one) through setAttribute("style"), which the policy blocks. For elements that
// carry such a binding, apply the same declarations through the CSSOM instead. Markup
// (parsed HTML, innerHTML) never goes through here, so injected style attributes are
// still refused.
(() => {
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (name === "style" && (this.hasAttribute("x-bind:style") || this.hasAttribute(":style"))) {
      this.style.cssText = String(value);
      return;
    }
    setAttribute.call(this, name, value);
  };
})();
