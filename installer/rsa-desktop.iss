; Inno Setup 6 script for RSA Desktop: packs the PyInstaller onedir bundle (dist\rsa-desktop\) into
; dist\RSA-Desktop-<version>-setup.exe. Built by installer\build_windows.ps1 (step 6), which first
; writes build\installer\version.iss and the icon; compile by hand with
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" installer\rsa-desktop.iss
;
; - Per-user install by default (no administrator rights: %LOCALAPPDATA%\Programs\RSA Desktop);
;   IT can choose a per-machine install (Program Files) in the dialog or with /ALLUSERS on the command
;   line, e.g. silent:  RSA-Desktop-0.1.0-setup.exe /VERYSILENT /ALLUSERS /SUPPRESSMSGBOXES
; - Start menu entry, optional desktop icon, .rsa files open in RSA Desktop.
; - Uninstall removes only the program folder: user data (%LOCALAPPDATA%\RSA Desktop: settings,
;   analysis files, backups) and .rsa files elsewhere are never touched.

#include "..\build\installer\version.iss"
#define AppName "RSA Desktop"
#define AppExe "RSA Desktop.exe"

[Setup]
AppId={{6F1E8C52-3B4D-4C7A-9E21-5A0D7C3B9F41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Stockholms stad
VersionInfoVersion={#AppVersion}
VersionInfoCompany=Stockholms stad
VersionInfoDescription={#AppName} installationsprogram
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
OutputDir=..\dist
OutputBaseFilename=RSA-Desktop-{#AppVersion}-setup
SetupIconFile=..\build\installer\rsa-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
LicenseFile=..\resources\licenses\README.txt
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "swedish"; MessagesFile: "compiler:Languages\Swedish.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "assoc"; Description: "Öppna .rsa-filer med {#AppName}"; GroupDescription: "Filtyper:"

[Files]
Source: "..\dist\rsa-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the bundled libraries completely (no stale DLLs from an older version).
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; .rsa association, per user or per machine (HKA follows the install mode).
Root: HKA; Subkey: "Software\Classes\.rsa"; ValueType: string; ValueName: ""; ValueData: "RSADesktop.Analys"; Flags: uninsdeletevalue; Tasks: assoc
Root: HKA; Subkey: "Software\Classes\RSADesktop.Analys"; ValueType: string; ValueName: ""; ValueData: "RSA-analys"; Flags: uninsdeletekey; Tasks: assoc
Root: HKA; Subkey: "Software\Classes\RSADesktop.Analys\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"; Tasks: assoc
Root: HKA; Subkey: "Software\Classes\RSADesktop.Analys\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Tasks: assoc

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] entries on purpose: user data lives outside {app} and is kept.
