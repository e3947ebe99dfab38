// Vite's types for what it bundles besides code (here, the stylesheet import).
/// <reference types="vite/client" />
