import { HostConnection } from '../shared/HostConnection';
import { vscodeApi } from '../shared/vscodeApi';
import { WatermarkApp } from './WatermarkApp';

const api = vscodeApi<unknown>();
new WatermarkApp(document.getElementById('app')!, new HostConnection(api)).start();
