// Box plots are drawn only on the wrangling page: registered on first use, so other screens do not load them.
import { BoxplotChart } from 'echarts/charts';
import { echarts } from '../charts/echarts';

echarts.use([BoxplotChart]);
