import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { takeTokenFromAddressBar } from './api/createWorkbenchClient';
import { App } from './shell/App';
import { startWorkbench } from './shell/contributions';
import { getEngine } from './engine/engineStore';
import './styles.css';

takeTokenFromAddressBar();
// Every feature registers its tab kinds, intents and parts before the first render.
startWorkbench();
// Start the engine now so it is ready by the time the first result arrives.
getEngine().catch((err: unknown) => console.error('DuckDB-WASM did not start:', err));

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
