// The sp-virtualization front: everything `pvm2js/virt` exports (api.ts, the crate's names), plus the
// names the root export has used since before that entry point existed.
export * from './api.ts';
export { VirtModule, VirtInstance, VirtExecution, withVirtHost } from './forwarder.ts';
