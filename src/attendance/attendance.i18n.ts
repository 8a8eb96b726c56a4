import { defineMessages } from '../common/i18n/i18n';

defineMessages(
  'errors',
  {
    SESSION_NOT_FOUND: '找不到该活动。',
    LEAVE_NOT_FOUND: '找不到该请假申请。',
    NOT_A_MEMBER: '您不是该党支部（组织）的成员，不能签到或请假。',
    CHECK_IN_NOT_OPEN: '书记还没有开启签到。',
    CHECK_IN_NOT_STARTED: '签到还没有开始，请在开始前 30 分钟内再试。',
    CHECK_IN_CLOSED: '签到已经结束。',
    SESSION_CANCELLED: '该活动已取消。',
    SESSION_CLOSED: '该活动已经结束并关闭。',
    CODE_INVALID: '签到码不正确或已过期，请输入屏幕上当前显示的数字。',
    TOO_MANY_WRONG_CODES:
      '这次活动刚才有太多人输错签到码。为防止猜码，输错过的人请 {{seconds}} 秒后再试，或请书记为您登记。',
    ALREADY_CHECKED_IN: '您已经签到过了。',
    LEAVE_TOO_LATE: '活动开始后不能再请假。',
    LEAVE_EXISTS: '您已经为这次活动请过假了。',
    LEAVE_DECIDED: '该请假申请已经处理过了。',
    ALREADY_ATTENDED: '您已经签到，无需请假。',
    NO_OPEN_SESSION: '现在没有可以签到的活动。',
    TIMES_INVALID: '结束时间必须晚于开始时间。',
    COURSE_UNKNOWN: '找不到课程“{{slug}}”。',
  },
  {
    SESSION_NOT_FOUND: 'That session does not exist.',
    LEAVE_NOT_FOUND: 'That leave request does not exist.',
    NOT_A_MEMBER:
      'You are not a member of this branch (or organisation), so you cannot check in or ask for leave.',
    CHECK_IN_NOT_OPEN: 'The secretary has not opened check-in yet.',
    CHECK_IN_NOT_STARTED: 'Check-in has not started yet; try again within 30 minutes of the start.',
    CHECK_IN_CLOSED: 'Check-in has closed.',
    SESSION_CANCELLED: 'This session was cancelled.',
    SESSION_CLOSED: 'This session has ended and been closed.',
    CODE_INVALID:
      'The check-in code is wrong or has expired; type the number shown on the screen now.',
    TOO_MANY_WRONG_CODES:
      'Too many wrong codes were typed for this session just now. To stop guessing, people who typed a wrong code must wait {{seconds}} seconds, or ask the secretary to record them.',
    ALREADY_CHECKED_IN: 'You have already checked in.',
    LEAVE_TOO_LATE: 'Leave cannot be asked for after the start.',
    LEAVE_EXISTS: 'You have already asked for leave for this session.',
    LEAVE_DECIDED: 'That leave request has already been decided.',
    ALREADY_ATTENDED: 'You have already checked in; no leave is needed.',
    NO_OPEN_SESSION: 'There is no session to check in to right now.',
    TIMES_INVALID: 'The end must be after the start.',
    COURSE_UNKNOWN: 'There is no course “{{slug}}”.',
  },
);

defineMessages(
  'attendanceStatus',
  {
    present: '出勤',
    late: '迟到',
    leave: '请假',
    absent: '缺勤',
    proxy: '代签',
    home_visit: '上门',
    pending: '未签到',
  },
  {
    present: 'Present',
    late: 'Late',
    leave: 'On leave',
    absent: 'Absent',
    proxy: 'Proxy check-in',
    home_visit: 'Home visit',
    pending: 'Not checked in',
  },
);

defineMessages(
  'leaveStates',
  { pending: '待审批', approved: '已批准', rejected: '已驳回' },
  { pending: 'Pending', approved: 'Approved', rejected: 'Rejected' },
);

defineMessages(
  'checkIn',
  {
    title: '签到',
    intro: '输入会场屏幕上显示的 6 位数字签到码。',
    code: '签到码',
    submit: '签到',
    done: '签到成功',
    doneStatus: '您已签到：{{status}}',
    at: '签到时间',
    fromQr: '已从二维码读取签到码，请点击“签到”确认。',
    makeUps: '我的补学',
  },
  {
    title: 'Check in',
    intro: 'Type the 6-digit check-in code shown on the screen in the room.',
    code: 'Check-in code',
    submit: 'Check in',
    done: 'Checked in',
    doneStatus: 'You are checked in: {{status}}',
    at: 'Checked in at',
    fromQr: 'The code was read from the QR code; press “Check in” to confirm.',
    makeUps: 'My make-up study',
  },
);

defineMessages(
  'rates',
  {
    attendance: '出勤率',
    commitment: '参与率',
    attendanceFormula: '出勤率 =（出勤 + 迟到 + 代签 + 上门）÷ 应到人数',
    commitmentFormula: '参与率 =（出勤 + 迟到 + 代签 + 上门 + 已完成补学的请假）÷ 应到人数',
    liable: '应到人数',
    liableNote: '只计入活动当天已加入本支部、尚未转出的党员。',
  },
  {
    attendance: 'Attendance rate',
    commitment: 'Commitment rate',
    attendanceFormula: 'Attendance rate = (present + late + proxy + home visit) ÷ members liable',
    commitmentFormula:
      'Commitment rate = (present + late + proxy + home visit + leave whose make-up is done) ÷ members liable',
    liable: 'Members liable',
    liableNote:
      'Only members who had joined the branch by the day of the meeting and had not left it count.',
  },
);

defineMessages('attendance', { qrLabel: '签到二维码' }, { qrLabel: 'Check-in QR code' });
