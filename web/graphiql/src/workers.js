// Monaco runs its language services in web workers. They are bundled as
// separate files next to app.js (names fixed at build time, content-hashed)
// and loaded from the gateway's own origin: no blob: or data: workers, so the
// CSP can say worker-src 'self'.
/* global __WORKER_FILES__ */
const files = __WORKER_FILES__;

function workerUrl(name) {
  return new URL(files[name], import.meta.url);
}

globalThis.MonacoEnvironment = {
  getWorker(_workerId, label) {
    switch (label) {
      case 'json':
        return new Worker(workerUrl('json'), { type: 'module', name: 'json' });
      case 'graphql':
        return new Worker(workerUrl('graphql'), { type: 'module', name: 'graphql' });
      default:
        return new Worker(workerUrl('editor'), { type: 'module', name: 'editor' });
    }
  },
};
