// Ambient types for the renderer build (CSS and asset imports handled by Vite).
// The bridge is read through BRIDGE_KEY in lib/ipc-client.ts rather than a Window
// augmentation here, so it cannot clash with the preload's own declaration.
/// <reference types="vite/client" />
