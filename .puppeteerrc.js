// Puppeteer (a dev dependency of the Mermaid CLI behind `npm run diagram:png`) drives the system's
// Chromium; `npm ci` never downloads a browser of its own.
module.exports = { skipDownload: true };
