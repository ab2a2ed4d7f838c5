module.exports = require('../../jest.preset.js').project(__dirname, 'e2e');
