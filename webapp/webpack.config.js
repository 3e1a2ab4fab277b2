// Builds dist/main.js, the plugin's webapp bundle. React, ReactDOM and Redux come from the Mattermost page
// (webpack externals), as in Mattermost's plugin starter template. tsconfig's "jsx": "react" compiles JSX to the
// host's React.createElement; the automatic runtime would bundle react/jsx-runtime from this package's React 18,
// which reaches into the host React's internals.
const path = require('path');

module.exports = {
    entry: './src/index.tsx',
    resolve: {extensions: ['.ts', '.tsx', '.js']},
    module: {rules: [{test: /\.tsx?$/, use: {loader: 'ts-loader', options: {transpileOnly: true, compilerOptions: {noEmit: false}}}, exclude: /node_modules/}]},
    externals: {
        react: 'React',
        'react-dom': 'ReactDOM',
        redux: 'Redux',
        'react-redux': 'ReactRedux',
        'prop-types': 'PropTypes',
    },
    output: {path: path.join(__dirname, 'dist'), publicPath: '/', filename: 'main.js'},
    devtool: false,
    performance: {hints: false},
};
