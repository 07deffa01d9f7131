// The console without a valid session: go to the sign-in page and come back after.
// A file, not an inline script: the console's Content-Security-Policy runs no inline
// script that the server did not stamp with the page's nonce.
location.replace("/login?next=" + encodeURIComponent(location.pathname));
