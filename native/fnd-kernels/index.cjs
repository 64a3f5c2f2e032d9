// The compiled addon; fnd loads it through src/nn/backend/native-kernels.ts, which checks it.
module.exports = require('./build/Release/fnd_kernels.node');
