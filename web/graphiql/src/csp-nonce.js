// The page is served with a strict Content-Security-Policy: inline <style>
// elements run only when they carry the per-response nonce. Monaco, Radix and
// react-aria create <style> elements at run time without knowing that nonce,
// so every <style> created through document.createElement gets it here. This
// module must be imported before any library that creates styles.
import { setNonce } from 'get-nonce';

const configElement = document.getElementById('graphiql-config');
export const NONCE = configElement ? configElement.nonce || '' : '';

if (NONCE) {
  setNonce(NONCE);
  const createElement = document.createElement.bind(document);
  document.createElement = function createElementWithNonce(tagName, options) {
    const element = createElement(tagName, options);
    if (typeof tagName === 'string' && tagName.toLowerCase() === 'style') {
      element.nonce = NONCE;
    }
    return element;
  };
}
