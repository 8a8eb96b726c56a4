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
    'password.menu': '修改密码',
    'password.title': '修改密码',
    'password.intro': '修改后，您在其他设备上的登录会全部退出，本设备保持登录。',
    'password.forced':
      '您现在的密码是别人为您设置的初始密码。请先设置一个只有您自己知道的新密码，然后才能继续使用。',
    'password.current': '当前密码',
    'password.new': '新密码',
    'password.confirm': '再次输入新密码',
    'password.rules':
      '至少 8 个字符，最多 128 个字符；可以用中文、空格和符号，推荐用一句好记的话。不能用常见密码、用户名或“党员123”这样的组合。',
    'password.submit': '保存新密码',
    'password.done': '密码已修改',
    'password.doneText': '新密码已生效。您在其他设备上的登录和应用令牌都已退出。',
    'password.home': '回到首页',
    'password.sameAsCurrent': '不能与当前密码相同',
    'reset.title': '设置新密码',
    'reset.intro': '为账号 {{username}} 设置新密码。此链接只能使用一次。',
    'reset.submit': '设置新密码',
    'reset.done': '新密码已设置',
    'reset.doneText': '请用新密码登录。此前在所有设备上的登录都已退出。',
    'reset.signIn': '去登录',
    'reset.invalidTitle': '链接不可用',
    'reset.column': '密码',
    'reset.generate': '生成重置链接',
    'reset.linkTitle': '密码重置链接',
    'reset.linkFor': '{{name}}（{{username}}）的密码重置链接：',
    'reset.linkOnce':
      '此链接只显示这一次，请当面交给本人或通过可信渠道发送。它在 {{expires}} 前有效，只能使用一次；再次生成会使它作废。',
    'reset.back': '返回人员列表',
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
    'password.menu': 'Change password',
    'password.title': 'Change password',
    'password.intro':
      'Afterwards every other device you are signed in on is signed out; this one stays signed in.',
    'password.forced':
      'Your password was set for you by someone else. Choose a new one that only you know before you go on.',
    'password.current': 'Current password',
    'password.new': 'New password',
    'password.confirm': 'New password again',
    'password.rules':
      'At least 8 and at most 128 characters; Chinese, spaces and symbols are welcome, a memorable sentence is best. Common passwords, the username and words like "dangyuan123" are refused.',
    'password.submit': 'Save the new password',
    'password.done': 'Password changed',
    'password.doneText':
      'The new password is in force. Every other device and app token you were signed in with is signed out.',
    'password.home': 'Back to the home page',
    'password.sameAsCurrent': 'it must differ from the current password',
    'reset.title': 'Set a new password',
    'reset.intro': 'Set a new password for the account {{username}}. This link works only once.',
    'reset.submit': 'Set the new password',
    'reset.done': 'New password set',
    'reset.doneText':
      'Sign in with the new password. Every earlier sign-in, on every device, has been ended.',
    'reset.signIn': 'Sign in',
    'reset.invalidTitle': 'Link not usable',
    'reset.column': 'Password',
    'reset.generate': 'Reset link',
    'reset.linkTitle': 'Password reset link',
    'reset.linkFor': 'Password reset link for {{name}} ({{username}}):',
    'reset.linkOnce':
      'This link is shown only this once: hand it to the person face to face or over a channel you trust. It works until {{expires}}, only once; generating another one cancels it.',
    'reset.back': 'Back to the people list',
  },
);

defineMessages(
  'errors',
  {
    INVALID_CREDENTIALS: '用户名或密码不正确。',
    LOGIN_THROTTLED: '登录失败次数过多，请 {{seconds}} 秒后再试。',
    CURRENT_PASSWORD_WRONG: '当前密码不正确。',
    PASSWORD_CONFIRM_MISMATCH: '两次输入的新密码不一致。',
    RESET_LINK_INVALID:
      '这个密码重置链接无效、已经用过或已过期。请联系管理员或支部书记重新生成一个。',
    RESET_NOT_ALLOWED: '此人持有您不能授予的角色，不能由您重置密码。',
    CANNOT_RESET_OWN_PASSWORD: '自己的密码请在“修改密码”页面用当前密码修改。',
  },
  {
    INVALID_CREDENTIALS: 'The username or password is wrong.',
    LOGIN_THROTTLED: 'Too many failed sign-ins. Try again in {{seconds}} seconds.',
    CURRENT_PASSWORD_WRONG: 'The current password is wrong.',
    PASSWORD_CONFIRM_MISMATCH: 'The two new passwords differ.',
    RESET_LINK_INVALID:
      'This password reset link is not valid, was used already or has expired. Ask an administrator or your branch secretary for a new one.',
    RESET_NOT_ALLOWED:
      'This person holds a role you cannot grant, so you cannot reset their password.',
    CANNOT_RESET_OWN_PASSWORD:
      'Change your own password on the Change password page, with your current password.',
  },
);
