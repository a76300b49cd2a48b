// Runs `runLoad` on its own thread, so the load's clients do not share the app's event loop
// (2 cores: the app, PostgreSQL and the clients all need one). Plain JS: it registers the
// TypeScript loader itself, inside Jest or not.
require('../../../tools/register.js');
const { parentPort, workerData } = require('node:worker_threads');
const { runLoad } = require('./soak-load.ts');

let stop;
const until = new Promise((resolve) => (stop = resolve));
parentPort.on('message', (message) => message === 'stop' && stop());
runLoad({ ...workerData, until, onFirstResponse: () => parentPort.postMessage({ running: true }) }).then(
  (result) => parentPort.postMessage({ result }),
  (error) => parentPort.postMessage({ error: String(error && error.stack ? error.stack : error) }),
);
