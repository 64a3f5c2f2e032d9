/**
 * Gradients for training live with the backend (src/nn/backend/gradients.ts: one registry,
 * installed by initBackend and by every training entry point); re-exported here for the
 * training code and the package's public API.
 */
export { ensureGradients, sumRows, BERT_GRADIENTS } from '../backend/gradients.js';
