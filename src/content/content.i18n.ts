import { defineMessages } from '../common/i18n/i18n';

defineMessages(
  'content',
  {
    tooManyFiles: '内容文件夹中的文件和文件夹超过 {{max}} 个，未导入任何内容',
    tooLarge: '内容文件夹的文件总大小超过 {{maxMb}} MB，未导入任何内容',
    fileTooLarge: '文件大于 {{maxMb}} MB，未导入任何内容',
    symlink: '是符号链接，不会被读取；请把文件本身放入内容文件夹',
    notAFile: '不是普通文件或文件夹，不会被读取',
  },
  {
    tooManyFiles:
      'the content folder holds more than {{max}} files and folders; nothing was imported',
    tooLarge:
      'the files of the content folder add up to more than {{maxMb}} MB; nothing was imported',
    fileTooLarge: 'the file is larger than {{maxMb}} MB; nothing was imported',
    symlink: 'is a symbolic link and is not followed; put the file itself in the content folder',
    notAFile: 'is neither a regular file nor a folder and is not read',
  },
);
