import { defineMessages } from '../common/i18n/i18n';

defineMessages(
  'auth',
  {
    'login.title': '登录',
    'login.heading': '登录干部学院',
    'login.intro': '社区工作者与基层党员干部的学习平台',
    'login.username': '用户名',
    'login.password': '密码',
    'login.submit': '登录',
    'login.demo': '演示账号：admin、trainer、secretary、cadre，密码均为 demo1234',
    logout: '退出登录',
  },
  {
    'login.title': 'Sign in',
    'login.heading': 'Sign in to Cadre Academy',
    'login.intro': 'The learning platform for community workers and grassroots party cadres',
    'login.username': 'Username',
    'login.password': 'Password',
    'login.submit': 'Sign in',
    'login.demo': 'Demo accounts: admin, trainer, secretary, cadre; password demo1234 for all',
    logout: 'Sign out',
  },
);

defineMessages(
  'errors',
  {
    INVALID_CREDENTIALS: '用户名或密码不正确。',
    LOGIN_THROTTLED: '登录失败次数过多，请 {{seconds}} 秒后再试。',
  },
  {
    INVALID_CREDENTIALS: 'The username or password is wrong.',
    LOGIN_THROTTLED: 'Too many failed sign-ins. Try again in {{seconds}} seconds.',
  },
);
